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
        checkLimits(maxBatchSize, maxBatchTokens);
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

    /**
     * Plans batches for {@code runners} encoder runs that work side by side, in the order to start
     * them. Two things keep every runner busy until the window is done. The batch size is evened
     * out so that the window splits into a multiple of {@code runners} batches: 96 texts at 32 per
     * batch make 3 batches, and on 2 runners one runner would idle through the third, while 4 batches
     * of 24 keep both busy. And batches start costliest first (padded tokens), so a long batch never
     * starts alone at the end. With one runner this is {@link #plan}, costliest first.
     */
    public static List<int[]> schedule(int[] lengths, int maxBatchSize, int maxBatchTokens, int runners) {
        checkLimits(maxBatchSize, maxBatchTokens);
        if (runners < 1) {
            throw new IllegalArgumentException("runners must be >= 1, got " + runners);
        }
        int batchSize = maxBatchSize;
        if (runners > 1 && lengths.length > 0) {
            int count = ceilDiv(ceilDiv(lengths.length, maxBatchSize), runners) * runners;
            batchSize = ceilDiv(lengths.length, count);
        }
        // Never above maxBatchSize: count >= ceil(n / maxBatchSize), so ceil(n / count) <= maxBatchSize.
        List<int[]> batches = plan(lengths, batchSize, maxBatchTokens);
        // Stable: among equal costs the shorter texts, planned first, still start first.
        batches.sort(Comparator.comparingLong((int[] b) -> paddedTokens(lengths, b)).reversed());
        return batches;
    }

    /** Rows times the longest row: the token grid one encoder run computes for this batch. */
    public static long paddedTokens(int[] lengths, int[] batch) {
        int longest = 0;
        for (int i : batch) {
            longest = Math.max(longest, lengths[i]);
        }
        return (long) batch.length * longest;
    }

    private static void checkLimits(int maxBatchSize, int maxBatchTokens) {
        if (maxBatchSize < 1 || maxBatchTokens < 1) {
            throw new IllegalArgumentException("batch limits must be >= 1, got size " + maxBatchSize + ", tokens "
                    + maxBatchTokens);
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
