package dev.clstream.batching;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Splits a window of texts into encoder batches of similar length. Each batch is padded to its own
 * longest text, so grouping by length removes most padding: on CPU the attention and matmul cost
 * grows with the padded length, and a batch of mixed lengths pays for the longest one on every row.
 * Callers put results back by index, so output order is always arrival order.
 */
public final class LengthAwareBatcher {
    private LengthAwareBatcher() {}

    /**
     * Plans batches over the indices of {@code lengths}: sorted by length (stable, so equal lengths
     * keep arrival order), at most {@code maxBatchSize} texts and at most {@code maxBatchTokens}
     * padded tokens (count x longest) each. A single text longer than the token limit still gets a
     * batch of its own.
     */
    public static List<int[]> plan(int[] lengths, int maxBatchSize, int maxBatchTokens) {
        if (maxBatchSize < 1 || maxBatchTokens < 1) {
            throw new IllegalArgumentException("batch limits must be >= 1, got size " + maxBatchSize + ", tokens "
                    + maxBatchTokens);
        }
        Integer[] order = new Integer[lengths.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> lengths[i]));
        List<int[]> batches = new ArrayList<>();
        int start = 0;
        while (start < order.length) {
            int end = start + 1;
            while (end < order.length && end - start < maxBatchSize
                    && (long) (end - start + 1) * lengths[order[end]] <= maxBatchTokens) {
                end++;
            }
            int[] batch = new int[end - start];
            for (int i = start; i < end; i++) {
                batch[i - start] = order[i];
            }
            batches.add(batch);
            start = end;
        }
        return batches;
    }
}
