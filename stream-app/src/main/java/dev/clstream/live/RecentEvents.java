package dev.clstream.live;

import java.util.ArrayList;
import java.util.List;

/** The latest {@code capacity} items added, newest first on read; older ones are overwritten. Not thread-safe. */
final class RecentEvents<T> {
    private final Object[] items;
    private int next;
    private int size;

    RecentEvents(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        items = new Object[capacity];
    }

    void add(T item) {
        items[next] = item;
        next = (next + 1) % items.length;
        size = Math.min(size + 1, items.length);
    }

    @SuppressWarnings("unchecked")
    List<T> newestFirst() {
        List<T> out = new ArrayList<>(size);
        for (int k = 1; k <= size; k++) {
            out.add((T) items[Math.floorMod(next - k, items.length)]);
        }
        return out;
    }
}
