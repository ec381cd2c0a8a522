package dev.clstream.live;

import java.util.Arrays;

/**
 * Latencies in milliseconds, counted in logarithmic buckets: eight per doubling from 0.01 ms to
 * about 22 minutes, so a percentile read back is within about 4.5% of the true value whatever the
 * scale, in a fixed 864 bytes, and two histograms add up bucket by bucket (seconds into a window).
 */
final class LatencyHistogram {
    static final double MIN_MS = 0.01;
    private static final int PER_DOUBLING = 8;
    static final int BUCKETS = 27 * PER_DOUBLING;

    private final int[] counts = new int[BUCKETS];
    private long total;

    void record(double ms) {
        counts[bucket(ms)]++;
        total++;
    }

    void addTo(LatencyHistogram sum) {
        for (int i = 0; i < BUCKETS; i++) {
            sum.counts[i] += counts[i];
        }
        sum.total += total;
    }

    void clear() {
        Arrays.fill(counts, 0);
        total = 0;
    }

    long count() {
        return total;
    }

    /** The q-quantile (0 < q ≤ 1) as its bucket's geometric middle; NaN when nothing was recorded. */
    double quantile(double q) {
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return MIN_MS * Math.pow(2, (i + 0.5) / PER_DOUBLING);
            }
        }
        throw new IllegalStateException("unreachable: the buckets hold " + total + " values");
    }

    private static int bucket(double ms) {
        if (!(ms > MIN_MS)) {
            return 0;
        }
        int b = (int) (Math.log(ms / MIN_MS) / Math.log(2) * PER_DOUBLING);
        return Math.min(b, BUCKETS - 1);
    }
}
