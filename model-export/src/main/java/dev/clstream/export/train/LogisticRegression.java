package dev.clstream.export.train;

import dev.clstream.bundle.LogitsSource;
import java.util.Arrays;

/**
 * Multinomial logistic regression with an L2 penalty on the weights (not the bias), fitted by
 * L-BFGS on standardised features. The fitted model is folded back into raw-feature space, so the
 * bundle's head is exactly logits = W·h_0 + b on the encoder's own h_0.
 */
public final class LogisticRegression {
    private final double lambda;
    private final int maxIterations;

    /** @param lambda L2 strength on standardised weights (objective: mean log-loss + lambda/2 ||W||^2) */
    public LogisticRegression(double lambda, int maxIterations) {
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
        }
        this.lambda = lambda;
        this.maxIterations = maxIterations;
    }

    /** What a fit produced: the head in raw-feature space and how the optimiser ended. */
    public record Fit(LogitsSource.LinearHead head, int iterations, boolean converged, double objective) {}

    /**
     * @param x      features, one row per example
     * @param y      class ids in [0, classes)
     */
    public Fit fit(float[][] x, int[] y, int classes) {
        if (x.length == 0 || x.length != y.length) {
            throw new IllegalArgumentException("need as many labels as rows, and at least one row");
        }
        for (int label : y) {
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("class id " + label + " is outside [0, " + classes + ")");
            }
        }
        Standardizer std = Standardizer.fit(x);
        double[][] z = std.apply(x);
        int d = z[0].length;
        int params = classes * (d + 1);
        Lbfgs.Objective objective = (theta, grad) -> lossAndGradient(theta, grad, z, y, classes, d);
        Lbfgs.Result r = new Lbfgs(10, maxIterations, 1e-6).minimize(objective, new double[params]);
        return new Fit(std.fold(r.x(), classes), r.iterations(), r.converged(), r.value());
    }

    /** Mean cross-entropy + lambda/2 ||W||^2; theta = [W row-major (classes x d), b (classes)]. */
    private double lossAndGradient(double[] theta, double[] grad, double[][] z, int[] y, int classes, int d) {
        Arrays.fill(grad, 0);
        int n = z.length;
        int biasAt = classes * d;
        double loss = 0;
        double[] logits = new double[classes];
        for (int i = 0; i < n; i++) {
            double[] xi = z[i];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                double acc = theta[biasAt + k];
                int row = k * d;
                for (int j = 0; j < d; j++) {
                    acc += theta[row + j] * xi[j];
                }
                logits[k] = acc;
                max = Math.max(max, acc);
            }
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                logits[k] = Math.exp(logits[k] - max);
                sum += logits[k];
            }
            loss -= Math.log(logits[y[i]] / sum);
            for (int k = 0; k < classes; k++) {
                double err = logits[k] / sum - (k == y[i] ? 1 : 0);
                int row = k * d;
                for (int j = 0; j < d; j++) {
                    grad[row + j] += err * xi[j];
                }
                grad[biasAt + k] += err;
            }
        }
        return meanWithL2(loss, grad, theta, n, biasAt, lambda);
    }

    /**
     * The objective and gradient of both regressions from their sums over {@code n} examples: the mean loss plus
     * {@code lambda / 2} times the squared weights, the biases (from {@code biasAt} on) not penalised.
     */
    static double meanWithL2(double loss, double[] grad, double[] theta, int n, int biasAt, double lambda) {
        double penalty = 0;
        for (int p = 0; p < theta.length; p++) {
            grad[p] /= n;
            if (p < biasAt) {
                penalty += theta[p] * theta[p];
                grad[p] += lambda * theta[p];
            }
        }
        return loss / n + 0.5 * lambda * penalty;
    }
}
