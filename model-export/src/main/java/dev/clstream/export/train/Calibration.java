package dev.clstream.export.train;

/**
 * How far a classifier's confidence is from its accuracy: the expected calibration error over
 * equal-width bins of the top probability (Guo et al., 2017), each bin weighted by its share of the
 * examples. 0 means that of the messages predicted with 0.9 confidence, 90% are right.
 */
public final class Calibration {
    public static final int BINS = 15;

    private Calibration() {}

    /**
     * @param actual        true class ids
     * @param probabilities each example's class probabilities (prediction = arg max)
     */
    public static double expectedError(int[] actual, float[][] probabilities) {
        double[] confidence = new double[BINS];
        long[] correct = new long[BINS];
        long[] count = new long[BINS];
        for (int i = 0; i < actual.length; i++) {
            float[] p = probabilities[i];
            int predicted = 0;
            for (int c = 1; c < p.length; c++) {
                if (p[c] > p[predicted]) {
                    predicted = c;
                }
            }
            int bin = Math.min(BINS - 1, (int) (p[predicted] * BINS));
            confidence[bin] += p[predicted];
            correct[bin] += predicted == actual[i] ? 1 : 0;
            count[bin]++;
        }
        double ece = 0;
        for (int b = 0; b < BINS; b++) {
            if (count[b] > 0) {
                ece += Math.abs(confidence[b] - correct[b]) / actual.length;
            }
        }
        return ece;
    }
}
