package dev.clstream.inference;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SoftmaxTest {

    @Test
    void matchesTheDefinitionAndSumsToOne() {
        float[] logits = {1f, 2f, 3f, -0.5f};
        float[] p = Softmax.apply(logits);
        double z = 0;
        for (float l : logits) {
            z += Math.exp(l);
        }
        for (int i = 0; i < logits.length; i++) {
            assertEquals(Math.exp(logits[i]) / z, p[i], 1e-7, "class " + i);
        }
        assertEquals(1.0, sum(p), 1e-6);
    }

    @Test
    void randomLogitsSumToOneAndKeepTheirOrder() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            float[] logits = new float[1 + rnd.nextInt(20)];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (rnd.nextDouble() * 60 - 30);
            }
            float[] p = Softmax.apply(logits);
            assertEquals(1.0, sum(p), 1e-5, "trial " + trial);
            for (int i = 0; i < p.length; i++) {
                assertTrue(p[i] >= 0 && p[i] <= 1);
                for (int j = 0; j < p.length; j++) {
                    if (logits[i] > logits[j]) {
                        assertTrue(p[i] >= p[j], "larger logit, smaller probability");
                    }
                }
            }
        }
    }

    @Test
    void stableForLargeLogits() {
        double e = Math.E;
        assertArrayEquals(new float[] {(float) (1 / (1 + e)), (float) (e / (1 + e))},
                Softmax.apply(new float[] {1000f, 1001f}), 1e-6f);
        assertArrayEquals(new float[] {(float) (e / (1 + e)), (float) (1 / (1 + e))},
                Softmax.apply(new float[] {-1000f, -1001f}), 1e-6f);
        assertArrayEquals(new float[] {0.5f, 0.5f}, Softmax.apply(new float[] {88.8f, 88.8f}), 1e-7f);
        float[] extreme = Softmax.apply(new float[] {Float.MAX_VALUE, -Float.MAX_VALUE, 0f});
        assertArrayEquals(new float[] {1f, 0f, 0f}, extreme);
    }

    @Test
    void shiftInvariant() {
        float[] a = Softmax.apply(new float[] {0.1f, 0.7f, -2f});
        float[] b = Softmax.apply(new float[] {500.1f, 500.7f, 498f});
        assertArrayEquals(a, b, 1e-4f);
    }

    @ParameterizedTest
    @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
    void rejectsNonFiniteLogits(float bad) {
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> Softmax.apply(new float[] {1f, bad, 2f}));
        assertMessageNames(e, Float.toString(bad));
    }

    @Test
    void rejectsNoLogits() {
        assertThrows(IllegalArgumentException.class, () -> Softmax.apply(new float[0]));
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, -3.5f, 1e30f, -1e30f})
    void singleLogitIsCertain(float logit) {
        assertArrayEquals(new float[] {1.0f}, Softmax.apply(new float[] {logit}));
    }

    @Test
    void doesNotModifyItsInput() {
        float[] logits = {3f, 1f, 2f};
        Softmax.apply(logits);
        assertArrayEquals(new float[] {3f, 1f, 2f}, logits);
    }

    private static double sum(float[] p) {
        double s = 0;
        for (float v : p) {
            s += v;
        }
        return s;
    }
}
