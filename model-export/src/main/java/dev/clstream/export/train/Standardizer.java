package dev.clstream.export.train;

import dev.clstream.bundle.LogitsSource;

/**
 * Per-feature z-scores for training, and the algebra that folds a model fitted on z-scores back
 * onto raw features: W'(x - mu)/sigma + b' = (W'/sigma)·x + (b' - W'·mu/sigma).
 */
record Standardizer(double[] mean, double[] scale) {

    static Standardizer fit(float[][] x) {
        int d = x[0].length;
        double[] mean = new double[d];
        double[] sq = new double[d];
        for (float[] row : x) {
            if (row.length != d) {
                throw new IllegalArgumentException("rows differ in length: " + d + " vs " + row.length);
            }
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= x.length;
        }
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                double c = row[j] - mean[j];
                sq[j] += c * c;
            }
        }
        double[] scale = new double[d];
        for (int j = 0; j < d; j++) {
            double sd = Math.sqrt(sq[j] / x.length);
            scale[j] = sd > 1e-12 ? sd : 1;
        }
        return new Standardizer(mean, scale);
    }

    double[][] apply(float[][] x) {
        double[][] z = new double[x.length][mean.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < mean.length; j++) {
                z[i][j] = (x[i][j] - mean[j]) / scale[j];
            }
        }
        return z;
    }

    /** theta = [W' row-major (classes x d), b' (classes)] on z-scores, to a raw-feature linear head. */
    LogitsSource.LinearHead fold(double[] theta, int classes) {
        int d = mean.length;
        float[][] w = new float[classes][d];
        float[] b = new float[classes];
        for (int k = 0; k < classes; k++) {
            double bias = theta[classes * d + k];
            for (int j = 0; j < d; j++) {
                double wz = theta[k * d + j];
                w[k][j] = (float) (wz / scale[j]);
                bias -= wz * mean[j] / scale[j];
            }
            b[k] = (float) bias;
        }
        return new LogitsSource.LinearHead(w, b);
    }
}
