package dev.clstream.export.train;

import java.util.Arrays;

/**
 * Multinomial logistic regression with an L2 penalty on sparse rows (a bag of words has a few hundred
 * non-zeros among a hundred thousand terms), fitted by the same L-BFGS as the heads: minimises the
 * mean cross-entropy + lambda/2 ||W||^2, the bias unpenalised. Rows are used as they are (TF-IDF
 * rows are already scaled to unit length), so there is no standardisation to fold back.
 */
public final class SparseLogisticRegression {
    private final double lambda;
    private final int maxIterations;

    /** Sparse rows: for each example, its feature indices and their values. */
    public record Rows(int[][] indices, double[][] values, int dimensions) {
        public Rows {
            if (indices.length != values.length) {
                throw new IllegalArgumentException("indices and values differ in length");
            }
        }

        public int size() {
            return indices.length;
        }

        public Rows pick(int[] which) {
            int[][] i = new int[which.length][];
            double[][] v = new double[which.length][];
            for (int r = 0; r < which.length; r++) {
                i[r] = indices[which[r]];
                v[r] = values[which[r]];
            }
            return new Rows(i, v, dimensions);
        }
    }

    /** A fitted model: weights (classes x dimensions, row-major) and biases. */
    public record Model(double[] weights, double[] bias, int dimensions) {
        public float[] probabilities(int[] indices, double[] values) {
            double[] p = softmax(indices, values);
            float[] out = new float[p.length];
            for (int k = 0; k < p.length; k++) {
                out[k] = (float) p[k];
            }
            return out;
        }

        double[] softmax(int[] indices, double[] values) {
            int classes = bias.length;
            double[] p = new double[classes];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                double acc = bias[k];
                int row = k * dimensions;
                for (int j = 0; j < indices.length; j++) {
                    acc += weights[row + indices[j]] * values[j];
                }
                p[k] = acc;
                max = Math.max(max, acc);
            }
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                p[k] = Math.exp(p[k] - max);
                sum += p[k];
            }
            for (int k = 0; k < classes; k++) {
                p[k] /= sum;
            }
            return p;
        }

        public float[][] probabilities(Rows rows) {
            float[][] out = new float[rows.size()][];
            for (int i = 0; i < rows.size(); i++) {
                out[i] = probabilities(rows.indices()[i], rows.values()[i]);
            }
            return out;
        }
    }

    public SparseLogisticRegression(double lambda, int maxIterations) {
        if (!(lambda >= 0) || maxIterations < 1) {
            throw new IllegalArgumentException("need lambda >= 0 and maxIterations >= 1");
        }
        this.lambda = lambda;
        this.maxIterations = maxIterations;
    }

    public Model fit(Rows x, int[] y, int classes) {
        if (x.size() == 0 || x.size() != y.length) {
            throw new IllegalArgumentException("need as many labels as rows, and at least one row");
        }
        int d = x.dimensions();
        int biasAt = classes * d;
        Lbfgs.Objective objective = (theta, grad) -> lossAndGradient(theta, grad, x, y, classes);
        Lbfgs.Result r = new Lbfgs(10, maxIterations, 1e-6).minimize(objective, new double[classes * (d + 1)]);
        return new Model(Arrays.copyOf(r.x(), biasAt), Arrays.copyOfRange(r.x(), biasAt, biasAt + classes), d);
    }

    private double lossAndGradient(double[] theta, double[] grad, Rows x, int[] y, int classes) {
        Arrays.fill(grad, 0);
        int d = x.dimensions();
        int biasAt = classes * d;
        int n = x.size();
        Model current = new Model(theta, Arrays.copyOfRange(theta, biasAt, biasAt + classes), d);
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int[] idx = x.indices()[i];
            double[] val = x.values()[i];
            double[] p = current.softmax(idx, val);
            loss -= Math.log(Math.max(p[y[i]], 1e-30));
            for (int k = 0; k < classes; k++) {
                double err = p[k] - (k == y[i] ? 1 : 0);
                int row = k * d;
                for (int j = 0; j < idx.length; j++) {
                    grad[row + idx[j]] += err * val[j];
                }
                grad[biasAt + k] += err;
            }
        }
        return LogisticRegression.meanWithL2(loss, grad, theta, n, biasAt, lambda);
    }
}
