package dev.clstream.runtime;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Closes what was opened in reverse order, each one even when an earlier close fails; the first
 * failure is thrown with the others suppressed on it. Used both for a start-up that fails half way
 * and for the normal shutdown, so the two cannot drift apart.
 */
final class Closer implements AutoCloseable {
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    <T extends AutoCloseable> T register(T resource) {
        opened.push(resource);
        return resource;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (failure == null) {
                    failure = e instanceof RuntimeException re ? re : new IllegalStateException("close failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
