package dev.clstream.export.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clstream.bundle.LogitsSource;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StandardizerTest {

    @Test
    void zScoresHaveMeanZeroAndUnitSpreadAndConstantColumnsStayFinite() {
        float[][] x = {{1, 100, 5}, {2, 300, 5}, {3, 500, 5}, {6, 700, 5}};
        Standardizer s = Standardizer.fit(x);
        assertArrayEquals(new double[] {3, 400, 5}, s.mean(), 1e-12);
        assertEquals(1.0, s.scale()[2], "a constant column is left unscaled");
        double[][] z = s.apply(x);
        for (int j = 0; j < 3; j++) {
            double m = 0;
            double v = 0;
            for (double[] r : z) {
                m += r[j];
            }
            for (double[] r : z) {
                v += r[j] * r[j];
            }
            assertEquals(0, m / 4, 1e-12, "mean of column " + j);
            assertEquals(j == 2 ? 0 : 1, v / 4, 1e-12, "variance of column " + j);
        }
    }

    @Test
    void foldGivesTheSameLogitsOnRawFeaturesAsThetaOnZScores() {
        SplittableRandom rnd = new SplittableRandom(3);
        int d = 5;
        int classes = 3;
        float[][] x = new float[40][d];
        for (float[] r : x) {
            for (int j = 0; j < d; j++) {
                r[j] = (float) (rnd.nextDouble() * (j + 1) * 100 - 37 * j);
            }
            r[3] = 2.5f; // constant column
        }
        double[] theta = new double[classes * (d + 1)];
        for (int p = 0; p < theta.length; p++) {
            theta[p] = rnd.nextDouble() * 2 - 1;
        }
        Standardizer s = Standardizer.fit(x);
        LogitsSource.LinearHead head = s.fold(theta, classes);
        double[][] z = s.apply(x);
        for (int i = 0; i < x.length; i++) {
            float[] raw = head.logits(x[i]);
            for (int k = 0; k < classes; k++) {
                double expected = theta[classes * d + k];
                for (int j = 0; j < d; j++) {
                    expected += theta[k * d + j] * z[i][j];
                }
                assertEquals(expected, raw[k], 1e-4 * Math.max(1, Math.abs(expected)), "row " + i + " class " + k);
            }
        }
    }

    @Test
    void rowsOfDifferentLengthAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(new float[][] {{1, 2}, {1}}));
    }
}
