package dev.clstream.inference;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RunPlannerTest {

    private static final int NO_TOKEN_LIMIT = Integer.MAX_VALUE;

    @Test
    void batchesAreSortedByLength() {
        int[] lengths = {5, 1, 4, 2, 3};
        assertPlan(List.of(new int[] {1, 3}, new int[] {4, 2}, new int[] {0}),
                RunPlanner.group(lengths, 2, NO_TOKEN_LIMIT));
    }

    @Test
    void equalLengthsKeepArrivalOrder() {
        int[] lengths = {3, 1, 3, 1, 3, 2, 3};
        assertPlan(List.of(new int[] {1, 3, 5, 0, 2, 4, 6}), RunPlanner.group(lengths, 10, NO_TOKEN_LIMIT));
        assertPlan(List.of(new int[] {1, 3}, new int[] {5, 0}, new int[] {2, 4}, new int[] {6}),
                RunPlanner.group(lengths, 2, NO_TOKEN_LIMIT));
    }

    @Test
    void sizeLimit() {
        int[] lengths = {7, 7, 7, 7, 7, 7, 7};
        List<int[]> plan = RunPlanner.group(lengths, 3, NO_TOKEN_LIMIT);
        assertPlan(List.of(new int[] {0, 1, 2}, new int[] {3, 4, 5}, new int[] {6}), plan);
        assertPlan(List.of(new int[] {0}, new int[] {1}), RunPlanner.group(new int[] {4, 4}, 1, NO_TOKEN_LIMIT));
    }

    @Test
    void tokenLimitIsCountTimesLongest() {
        // 3 x 4 = 12 fits a limit of 12, 4 x 4 = 16 does not.
        assertPlan(List.of(new int[] {0, 1, 2}, new int[] {3, 4}),
                RunPlanner.group(new int[] {4, 4, 4, 4, 4}, 10, 12));
        // Padding counts: 2 + 2 + 9 = 13 real tokens would fit 20, but 3 x 9 = 27 padded ones do not.
        assertPlan(List.of(new int[] {0, 1}, new int[] {2}), RunPlanner.group(new int[] {2, 2, 9}, 10, 20));
        // Exactly at the limit is allowed.
        assertPlan(List.of(new int[] {1, 0}), RunPlanner.group(new int[] {9, 2}, 10, 18));
        assertPlan(List.of(new int[] {1}, new int[] {0}), RunPlanner.group(new int[] {9, 2}, 10, 17));
    }

    @Test
    void anOverLongTextGetsABatchOfItsOwn() {
        List<int[]> plan = RunPlanner.group(new int[] {50, 3, 3, 60}, 8, 10);
        assertPlan(List.of(new int[] {1, 2}, new int[] {0}, new int[] {3}), plan);
        assertPlan(List.of(new int[] {0}), RunPlanner.group(new int[] {1000}, 1, 1));
    }

    @Test
    void noTextsNoBatches() {
        assertEquals(0, RunPlanner.group(new int[0], 4, 100).size());
    }

    @Test
    void randomPlansCoverEveryIndexOnceAndRespectTheLimits() {
        SplittableRandom rnd = new SplittableRandom(2024);
        for (int trial = 0; trial < 500; trial++) {
            int n = rnd.nextInt(0, 60);
            int[] lengths = new int[n];
            for (int i = 0; i < n; i++) {
                lengths[i] = rnd.nextInt(1, 40);
            }
            int maxSize = rnd.nextInt(1, 12);
            int maxTokens = rnd.nextInt(1, 200);
            List<int[]> plan = RunPlanner.group(lengths, maxSize, maxTokens);

            int[] seen = new int[n];
            int prevLength = Integer.MIN_VALUE;
            int prevIndex = -1;
            for (int[] batch : plan) {
                assertTrue(batch.length >= 1 && batch.length <= maxSize, "trial " + trial);
                int longest = 0;
                for (int idx : batch) {
                    seen[idx]++;
                    longest = Math.max(longest, lengths[idx]);
                    // Concatenated batches are one stable sort by length.
                    assertTrue(lengths[idx] > prevLength || (lengths[idx] == prevLength && idx > prevIndex),
                            "trial " + trial + ": index " + idx + " out of order");
                    prevLength = lengths[idx];
                    prevIndex = idx;
                }
                assertTrue(batch.length == 1 || (long) batch.length * longest <= maxTokens,
                        "trial " + trial + ": batch over the token limit");
            }
            for (int i = 0; i < n; i++) {
                assertEquals(1, seen[i], "trial " + trial + ": index " + i);
            }
            // Greedy: a batch is cut only where the next text would break a limit.
            for (int b = 0; b + 1 < plan.size(); b++) {
                int[] batch = plan.get(b);
                int next = plan.get(b + 1)[0];
                boolean full = batch.length == maxSize;
                boolean tooManyTokens = (long) (batch.length + 1) * lengths[next] > maxTokens;
                assertTrue(full || tooManyTokens, "trial " + trial + ": batch " + b + " cut early");
            }
        }
    }

    @Test
    void scheduleSplitsAWindowIntoAMultipleOfTheRunners() {
        int[] equal = new int[96];
        Arrays.fill(equal, 128);
        // 3 batches of 32 would leave one of 2 runners idle through the third; 4 of 24 do not.
        List<int[]> plan = RunPlanner.plan(equal, 32, NO_TOKEN_LIMIT, 2).runs();
        assertEquals(4, plan.size());
        plan.forEach(b -> assertEquals(24, b.length));
        // 33 texts: 17 + 16, not 32 + 1.
        int[] lengths33 = new int[33];
        Arrays.fill(lengths33, 10);
        assertEquals(List.of(17, 16), RunPlanner.plan(lengths33, 32, NO_TOKEN_LIMIT, 2).runs().stream()
                .map(b -> b.length).toList());
        // Never above the configured size, and batch size 1 stays 1.
        assertEquals(96, RunPlanner.plan(equal, 1, NO_TOKEN_LIMIT, 2).runs().size());
        assertEquals(12, RunPlanner.plan(equal, 8, NO_TOKEN_LIMIT, 2).runs().size());
    }

    @Test
    void scheduleStartsTheCostliestBatchFirst() {
        int[] lengths = {5, 1, 4, 2, 3, 9};
        // plan: {1,3} {4,2} {0,5}; padded tokens 4, 8, 18.
        assertPlan(List.of(new int[] {0, 5}, new int[] {4, 2}, new int[] {1, 3}),
                RunPlanner.plan(lengths, 2, NO_TOKEN_LIMIT, 1).runs());
        assertEquals(18, RunPlanner.paddedTokens(lengths, new int[] {0, 5}));
    }

    @Test
    void randomSchedulesCoverEveryIndexOnceAndRespectTheLimits() {
        SplittableRandom rnd = new SplittableRandom(2025);
        for (int trial = 0; trial < 500; trial++) {
            int n = rnd.nextInt(0, 80);
            int[] lengths = new int[n];
            for (int i = 0; i < n; i++) {
                lengths[i] = rnd.nextInt(1, 130);
            }
            int maxSize = rnd.nextInt(1, 40);
            int maxTokens = rnd.nextBoolean() ? NO_TOKEN_LIMIT : rnd.nextInt(1, 2000);
            int runners = rnd.nextInt(1, 5);
            List<int[]> plan = RunPlanner.plan(lengths, maxSize, maxTokens, runners).runs();
            int[] seen = new int[n];
            long previousCost = Long.MAX_VALUE;
            for (int[] batch : plan) {
                long cost = RunPlanner.paddedTokens(lengths, batch);
                assertTrue(batch.length >= 1 && batch.length <= maxSize, "trial " + trial);
                assertTrue(batch.length == 1 || cost <= maxTokens, "trial " + trial + ": over the token limit");
                assertTrue(cost <= previousCost, "trial " + trial + ": not costliest first");
                previousCost = cost;
                for (int idx : batch) {
                    seen[idx]++;
                }
            }
            for (int i = 0; i < n; i++) {
                assertEquals(1, seen[i], "trial " + trial + ": index " + i);
            }
            if (maxTokens == NO_TOKEN_LIMIT && n > 0) {
                int unsplit = (n + maxSize - 1) / maxSize;
                assertTrue(plan.size() >= unsplit, "trial " + trial + ": " + plan.size() + " batches for " + n
                        + " texts");
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"0, 10", "-1, 10", "10, 0", "10, -5", "0, 0"})
    void invalidLimitsAreRejected(int size, int tokens) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunPlanner.group(new int[] {1, 2}, size, tokens));
        assertMessageNames(e, "size " + size, "tokens " + tokens);
        e = assertThrows(IllegalArgumentException.class,
                () -> RunPlanner.plan(new int[] {1, 2}, size, tokens, 2).runs());
        assertMessageNames(e, "size " + size, "tokens " + tokens);
    }

    private static void assertPlan(List<int[]> expected, List<int[]> actual) {
        assertEquals(expected.size(), actual.size(), () -> "batches: " + render(actual));
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "batch " + i + " of " + render(actual));
        }
    }

    private static String render(List<int[]> plan) {
        return plan.stream().map(java.util.Arrays::toString).toList().toString();
    }
}
