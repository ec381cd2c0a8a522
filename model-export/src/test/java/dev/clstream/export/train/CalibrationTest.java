package dev.clstream.export.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CalibrationTest {
    @Test
    void confidenceThatMatchesAccuracyHasNoError() {
        // Ten predictions at 0.8 confidence, eight of them right.
        int[] actual = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
        float[][] p = new float[10][];
        for (int i = 0; i < 10; i++) {
            p[i] = new float[] {0.8f, 0.2f};
        }
        assertEquals(0.0, Calibration.expectedError(actual, p), 1e-6);
    }

    @Test
    void theErrorIsEachBinsGapWeightedByItsShare() {
        // Bin of 0.99: 4 examples, 2 right (gap 0.49); bin of 0.6: 6 examples, all right (gap 0.4).
        int[] actual = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
        float[][] p = new float[10][];
        for (int i = 0; i < 4; i++) {
            p[i] = new float[] {0.01f, 0.99f};
        }
        p[2] = new float[] {0.01f, 0.99f};
        p[3] = new float[] {0.01f, 0.99f};
        for (int i = 4; i < 10; i++) {
            p[i] = new float[] {0.6f, 0.4f};
        }
        double expected = 0.4 * Math.abs(0.99 - 0.5) + 0.6 * Math.abs(0.6 - 1.0);
        assertEquals(expected, Calibration.expectedError(actual, p), 1e-6);
    }

    @Test
    void aConfidenceOfOneFallsInTheTopBin() {
        assertEquals(0.0, Calibration.expectedError(new int[] {1}, new float[][] {{0f, 1f}}), 1e-9);
        assertEquals(1.0, Calibration.expectedError(new int[] {0}, new float[][] {{0f, 1f}}), 1e-9);
    }
}
