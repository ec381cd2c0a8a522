package dev.clstream.live;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** What happened in one wall-clock second; a slot of {@link LiveWindow}'s ring, reused when the ring comes round. */
final class Second {
    long epochSecond = Long.MIN_VALUE;
    long in;
    long out;
    long deadLetters;
    long batches;
    long batchEvents;
    int batchMax;
    final long[] labels;
    /** A handful of reason codes at most, and only when records fail: a map is cheap enough here. */
    final Map<String, Long> deadLettersByReason = new TreeMap<>();
    final LatencyHistogram endToEnd = new LatencyHistogram();
    final LatencyHistogram inference = new LatencyHistogram();

    Second(int labelCount) {
        labels = new long[labelCount];
    }

    void reset(long second) {
        epochSecond = second;
        in = 0;
        out = 0;
        deadLetters = 0;
        batches = 0;
        batchEvents = 0;
        batchMax = 0;
        Arrays.fill(labels, 0);
        deadLettersByReason.clear();
        endToEnd.clear();
        inference.clear();
    }
}
