package dev.clstream.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Plans the encoder runs for a window of texts (a micro-batch, a chunk of {@code classify}'s input):
 * which texts go into which {@code session.run}, and in which order the runs start. Each run is
 * padded to its own longest text, so grouping by length removes most padding: on CPU the attention
 * and matmul cost grows with the padded length, and a run of mixed lengths pays for the longest one
 * on every row. Callers put results back by index, so output order is always arrival order.
 */
public final class RunPlanner {
    private RunPlanner() {}

    /**
     * Groups the indices of {@code lengths} into runs: sorted by length (stable, so equal lengths
     * keep arrival order), at most {@code maxTexts} texts and at most {@code maxPaddedTokens} padded
     * tokens (count x longest) each. A single text longer than the token limit still gets a run of
     * its own.
     */
    public static List<int[]> group(int[] lengths, int maxTexts, int maxPaddedTokens) {
        checkLimits(maxTexts, maxPaddedTokens);
        Integer[] order = new Integer[lengths.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> lengths[i]));
        List<int[]> runs = new ArrayList<>();
        int start = 0;
        while (start < order.length) {
            int end = start + 1;
            while (end < order.length && end - start < maxTexts
                    && (long) (end - start + 1) * lengths[order[end]] <= maxPaddedTokens) {
                end++;
            }
            int[] run = new int[end - start];
            for (int i = start; i < end; i++) {
                run[i - start] = order[i];
            }
            runs.add(run);
            start = end;
        }
        return runs;
    }

    /**
     * Plans the runs for {@code runners} encoder runs that work side by side, in the order to start
     * them. Two things keep every runner busy until the window is done. The run size is evened out
     * so that the window splits into a multiple of {@code runners} runs: 96 texts at 32 per run make
     * 3 runs, and on 2 runners one runner would idle through the third, while 4 runs of 24 keep both
     * busy. And runs start costliest first (padded tokens), so a long run never starts alone at the
     * end. With one runner this is {@link #group}, costliest first.
     */
    public static RunPlan plan(int[] lengths, int maxTexts, int maxPaddedTokens, int runners) {
        checkLimits(maxTexts, maxPaddedTokens);
        if (runners < 1) {
            throw new IllegalArgumentException("runners must be >= 1, got " + runners);
        }
        int size = maxTexts;
        if (runners > 1 && lengths.length > 0) {
            int count = ceilDiv(ceilDiv(lengths.length, maxTexts), runners) * runners;
            size = ceilDiv(lengths.length, count);
        }
        // Never above maxTexts: count >= ceil(n / maxTexts), so ceil(n / count) <= maxTexts.
        List<int[]> runs = group(lengths, size, maxPaddedTokens);
        // Stable: among equal costs the shorter texts, grouped first, still start first.
        runs.sort(Comparator.comparingLong((int[] r) -> paddedTokens(lengths, r)).reversed());
        long grid = 0;
        for (int[] run : runs) {
            grid += paddedTokens(lengths, run);
        }
        return new RunPlan(List.copyOf(runs), grid);
    }

    /** Rows times the longest row: the token grid one encoder run computes. */
    public static long paddedTokens(int[] lengths, int[] run) {
        int longest = 0;
        for (int i : run) {
            longest = Math.max(longest, lengths[i]);
        }
        return (long) run.length * longest;
    }

    private static void checkLimits(int maxTexts, int maxPaddedTokens) {
        if (maxTexts < 1 || maxPaddedTokens < 1) {
            throw new IllegalArgumentException("run limits must be >= 1, got size " + maxTexts + " (texts per run), "
                    + "tokens " + maxPaddedTokens + " (padded tokens per run)");
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
