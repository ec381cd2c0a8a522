package dev.clstream.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README: a replaced stream thread waits 1 s, doubling with each failure in a row up to 60 s, back to 1 s when quiet. */
class ThreadFailuresTest {
    @Test
    void theBackoffDoublesFromOneSecondToAMinuteAndStartsOverAfterFiveQuietMinutes() {
        List<Long> waits = new ArrayList<>();
        long backoff = 0;
        long sinceLast = Long.MAX_VALUE; // the first failure ever
        for (int i = 0; i < 9; i++) {
            backoff = ThreadFailures.nextBackoffMs(backoff, sinceLast);
            waits.add(backoff);
            sinceLast = 10_000;
        }
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L, 60_000L, 60_000L, 60_000L), waits);
        assertEquals(60_000, ThreadFailures.nextBackoffMs(60_000, 300_000), "five minutes exactly is not quiet yet");
        assertEquals(1_000, ThreadFailures.nextBackoffMs(60_000, 300_001));
    }
}
