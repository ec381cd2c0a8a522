package dev.clstream.export.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.bundle.LogitsSource;
import dev.clstream.inference.Softmax;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LogisticRegressionTest {

    @Test
    void separatesTwoGaussianBlobs() {
        Blobs b = Blobs.twoSeparated(1);
        LogisticRegression.Fit fit = new LogisticRegression(1e-4, 500).fit(b.x, b.y, 2);
        assertEquals(2, fit.head().labelCount());
        assertEquals(4, fit.head().hiddenSize());
        assertEquals(1.0, Blobs.accuracy(fit.head(), b.x, b.y));
        assertTrue(Double.isFinite(fit.objective()) && fit.objective() < 0.05, "objective " + fit.objective());
    }

    @Test
    void separatesThreeGaussianBlobs() {
        Blobs b = Blobs.threeSeparated(2);
        LogisticRegression.Fit fit = new LogisticRegression(1e-4, 500).fit(b.x, b.y, 3);
        assertEquals(3, fit.head().labelCount());
        assertEquals(1.0, Blobs.accuracy(fit.head(), b.x, b.y));
        // and generalises: fresh points from the same blobs
        Blobs fresh = Blobs.threeSeparated(3);
        assertEquals(1.0, Blobs.accuracy(fit.head(), fresh.x, fresh.y));
    }

    @Test
    void strongerPenaltyShrinksTheStandardisedWeights() {
        Blobs b = Blobs.twoOverlapping(4);
        double[] sd = Blobs.columnSd(b.x);
        double previous = Double.POSITIVE_INFINITY;
        for (double lambda : new double[] {0, 1e-3, 1e-2, 1e-1, 1, 10}) {
            LogitsSource.LinearHead head = new LogisticRegression(lambda, 500).fit(b.x, b.y, 2).head();
            double norm = standardisedNorm(head, sd);
            assertTrue(norm < previous, "lambda " + lambda + ": ||W|| " + norm + " should be below " + previous);
            previous = norm;
        }
    }

    @Test
    void hugePenaltyLeavesOnlyTheUnpenalisedBiasSoProbabilitiesAreThePriors() {
        Blobs b = Blobs.of(new double[][] {{-1, 1}, {1, -1}}, new int[] {60, 140}, 1, 5);
        LogitsSource.LinearHead head = new LogisticRegression(1e4, 500).fit(b.x, b.y, 2).head();
        assertTrue(standardisedNorm(head, Blobs.columnSd(b.x)) < 1e-3);
        float[] p = Softmax.apply(head.logits(b.x[0]));
        assertEquals(0.3, p[0], 2e-3);
        assertEquals(0.7, p[1], 2e-3);
    }

    @Test
    void allConstantFeaturesGiveTheClassPriors() {
        float[][] x = new float[100][];
        int[] y = new int[100];
        for (int i = 0; i < 100; i++) {
            x[i] = new float[] {3f, -1f};
            y[i] = i < 25 ? 0 : i < 35 ? 1 : 2;
        }
        LogisticRegression.Fit fit = new LogisticRegression(1e-2, 500).fit(x, y, 3);
        float[] p = Softmax.apply(fit.head().logits(new float[] {3f, -1f}));
        assertArrayEquals(new float[] {0.25f, 0.10f, 0.65f}, p, 1e-3f);
        for (float[] row : fit.head().weights()) {
            assertArrayEquals(new float[] {0f, 0f}, row);
        }
    }

    @Test
    void aConstantFeatureGetsZeroWeightAndChangesNothingElse() {
        Blobs b = Blobs.twoOverlapping(6);
        float[][] withConstant = new float[b.x.length][];
        for (int i = 0; i < b.x.length; i++) {
            withConstant[i] = Arrays.copyOf(b.x[i], b.x[i].length + 1);
            withConstant[i][b.x[i].length] = 1234.5f;
        }
        LogitsSource.LinearHead plain = new LogisticRegression(1e-2, 500).fit(b.x, b.y, 2).head();
        LogisticRegression.Fit fit = new LogisticRegression(1e-2, 500).fit(withConstant, b.y, 2);
        LogitsSource.LinearHead head = fit.head();
        for (int k = 0; k < 2; k++) {
            float[] w = head.weights()[k];
            assertEquals(0f, w[w.length - 1], "constant column must get weight 0");
            assertArrayEquals(plain.weights()[k], Arrays.copyOf(w, w.length - 1), 1e-5f);
            assertTrue(Float.isFinite(head.bias()[k]));
        }
        assertArrayEquals(plain.bias(), head.bias(), 1e-5f);
        for (int i = 0; i < b.x.length; i++) {
            assertArrayEquals(Softmax.apply(plain.logits(b.x[i])), Softmax.apply(head.logits(withConstant[i])), 1e-5f);
        }
    }

    /**
     * The fitted head is folded from standardised features back to raw ones; an affine change of
     * the raw features (scale one by 1000, shift another by 50) leaves the z-scores, hence the
     * model, unchanged, so the raw head must absorb the change exactly.
     */
    @Test
    void foldedHeadIsInvariantToAffineChangesOfTheFeatures() {
        Blobs b = Blobs.of(new double[][] {{-1, 1, 0}, {1, 0, -1}, {0, -1, 1}}, new int[] {70, 70, 70}, 1, 7);
        float[][] moved = new float[b.x.length][];
        for (int i = 0; i < b.x.length; i++) {
            moved[i] = new float[] {b.x[i][0] * 1000f, b.x[i][1] + 50f, b.x[i][2]};
        }
        LogitsSource.LinearHead head = new LogisticRegression(1e-2, 500).fit(b.x, b.y, 3).head();
        LogitsSource.LinearHead headMoved = new LogisticRegression(1e-2, 500).fit(moved, b.y, 3).head();
        for (int k = 0; k < 3; k++) {
            float[] w = head.weights()[k];
            float[] wm = headMoved.weights()[k];
            assertEquals(w[0] / 1000, wm[0], 1e-3 * Math.abs(w[0]) / 1000 + 1e-8, "scaled feature, class " + k);
            assertEquals(w[1], wm[1], 1e-3 * Math.abs(w[1]) + 1e-5, "shifted feature, class " + k);
            assertEquals(w[2], wm[2], 1e-3 * Math.abs(w[2]) + 1e-5, "untouched feature, class " + k);
            assertEquals(head.bias()[k] - 50 * w[1], headMoved.bias()[k], 2e-3, "bias absorbs the shift, class " + k);
        }
        int close = 0;
        for (int i = 0; i < b.x.length; i++) {
            float[] p = Softmax.apply(head.logits(b.x[i]));
            float[] pm = Softmax.apply(headMoved.logits(moved[i]));
            assertArrayEquals(p, pm, 1e-3f, "row " + i);
            float[] sorted = p.clone();
            Arrays.sort(sorted);
            if (sorted[2] - sorted[1] > 1e-3) {
                assertEquals(Blobs.argmax(p), Blobs.argmax(pm), "prediction of row " + i);
            } else {
                close++;
            }
        }
        assertTrue(close < 5, close + " rows too close to a boundary to compare");
        // and the model is not trivial: it classifies well above chance
        assertTrue(Blobs.accuracy(head, b.x, b.y) > 0.7);
    }

    /**
     * The optimiser stops where the true objective (mean cross-entropy + lambda/2 ||W_z||^2 on
     * standardised features) is stationary and reports its value: recomputed here independently
     * from the folded raw head, its gradient is ~0 and its value is the reported one.
     */
    @Test
    void fitIsAStationaryPointOfTheDocumentedObjective() {
        Blobs b = Blobs.of(new double[][] {{-0.5, 0.5, 0, 1}, {0.5, -0.5, 0, 0}, {0, 0, 0.7, -1}},
                new int[] {80, 60, 40}, 1, 8);
        for (double lambda : new double[] {1e-3, 0.1}) {
            LogisticRegression.Fit fit = new LogisticRegression(lambda, 1000).fit(b.x, b.y, 3);
            assertTrue(fit.converged(), "lambda " + lambda + " did not converge");
            double[] grad = new double[3 * 5];
            double f = zObjective(fit.head(), b.x, b.y, lambda, grad);
            assertEquals(fit.objective(), f, 1e-5 * Math.max(1, Math.abs(f)), "reported objective, lambda " + lambda);
            double norm = Math.sqrt(Arrays.stream(grad).map(g -> g * g).sum());
            assertTrue(norm < 1e-4, "lambda " + lambda + ": gradient norm at the fit " + norm);
        }
    }

    @Test
    void fitIsDeterministic() {
        Blobs b = Blobs.twoOverlapping(9);
        LogisticRegression.Fit first = new LogisticRegression(1e-2, 500).fit(b.x, b.y, 2);
        LogisticRegression.Fit second = new LogisticRegression(1e-2, 500).fit(b.x, b.y, 2);
        assertEquals(first.head(), second.head());
        assertEquals(first.iterations(), second.iterations());
        assertEquals(first.objective(), second.objective());
        Blobs other = Blobs.twoOverlapping(10);
        assertTrue(!first.head().equals(new LogisticRegression(1e-2, 500).fit(other.x, other.y, 2).head()),
                "different data must give a different head");
    }

    @Test
    void iterationLimitIsHonoured() {
        Blobs b = Blobs.twoOverlapping(11);
        LogisticRegression.Fit fit = new LogisticRegression(1e-3, 2).fit(b.x, b.y, 2);
        assertTrue(fit.iterations() <= 2);
        assertTrue(!fit.converged());
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new LogisticRegression(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> new LogisticRegression(Double.NaN, 10));
        LogisticRegression lr = new LogisticRegression(1e-2, 10);
        assertThrows(IllegalArgumentException.class, () -> lr.fit(new float[0][], new int[0], 2));
        assertThrows(IllegalArgumentException.class, () -> lr.fit(new float[][] {{1}, {2}}, new int[] {0}, 2));
        assertThrows(IllegalArgumentException.class, () -> lr.fit(new float[][] {{1, 2}, {2}}, new int[] {0, 1}, 2));
    }

    /** ||W_z||_F with W_z = W_raw * sd (the weights the penalty sees). */
    static double standardisedNorm(LogitsSource.LinearHead head, double[] sd) {
        double s = 0;
        for (float[] row : head.weights()) {
            for (int j = 0; j < row.length; j++) {
                double wz = row[j] * sd[j];
                s += wz * wz;
            }
        }
        return Math.sqrt(s);
    }

    /**
     * The objective in standardised parameters (W_z = W sd, b_z = b + W mean), evaluated at the
     * parameters equivalent to {@code head}; writes d objective / d [W_z, b_z] into grad.
     */
    static double zObjective(LogitsSource.LinearHead head, float[][] x, int[] y, double lambda, double[] grad) {
        int n = x.length;
        int d = x[0].length;
        int k = head.labelCount();
        double[] mean = new double[d];
        for (float[] r : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[] sd = Blobs.columnSd(x);
        double[][] wz = new double[k][d];
        double[] bz = new double[k];
        for (int c = 0; c < k; c++) {
            bz[c] = head.bias()[c];
            for (int j = 0; j < d; j++) {
                wz[c][j] = head.weights()[c][j] * sd[j];
                bz[c] += head.weights()[c][j] * mean[j];
            }
        }
        Arrays.fill(grad, 0);
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double[] z = new double[d];
            for (int j = 0; j < d; j++) {
                z[j] = (x[i][j] - mean[j]) / sd[j];
            }
            double[] logit = new double[k];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                logit[c] = bz[c];
                for (int j = 0; j < d; j++) {
                    logit[c] += wz[c][j] * z[j];
                }
                max = Math.max(max, logit[c]);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                sum += Math.exp(logit[c] - max);
            }
            loss -= logit[y[i]] - max - Math.log(sum);
            for (int c = 0; c < k; c++) {
                double err = Math.exp(logit[c] - max) / sum - (c == y[i] ? 1 : 0);
                for (int j = 0; j < d; j++) {
                    grad[c * d + j] += err * z[j] / n;
                }
                grad[k * d + c] += err / n;
            }
        }
        double penalty = 0;
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < d; j++) {
                penalty += wz[c][j] * wz[c][j];
                grad[c * d + j] += lambda * wz[c][j];
            }
        }
        return loss / n + 0.5 * lambda * penalty;
    }
}
