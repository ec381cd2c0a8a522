package dev.clstream.export.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LbfgsTest {

    /** f(x) = sum_i a_i (x_i - c_i)^2, badly conditioned (a from 1 to 1e4). */
    @Test
    void minimisesAnIllConditionedQuadratic() {
        double[] a = {1, 10, 100, 1000, 10000};
        double[] c = {3, -2, 0.5, 7, -1};
        Lbfgs.Objective f = (x, g) -> {
            double v = 0;
            for (int i = 0; i < x.length; i++) {
                v += a[i] * (x[i] - c[i]) * (x[i] - c[i]);
                g[i] = 2 * a[i] * (x[i] - c[i]);
            }
            return v;
        };
        Lbfgs.Result r = new Lbfgs(10, 500, 1e-9).minimize(f, new double[5]);
        assertTrue(r.converged());
        assertArrayEquals(c, r.x(), 1e-6);
        assertEquals(0, r.value(), 1e-10);
    }

    @Test
    void minimisesRosenbrock() {
        Lbfgs.Objective f = (x, g) -> {
            double u = 1 - x[0];
            double w = x[1] - x[0] * x[0];
            g[0] = -2 * u - 400 * x[0] * w;
            g[1] = 200 * w;
            return u * u + 100 * w * w;
        };
        Lbfgs.Result r = new Lbfgs(10, 1000, 1e-10).minimize(f, new double[] {-1.2, 1});
        assertArrayEquals(new double[] {1, 1}, r.x(), 1e-4);
        Lbfgs.Result capped = new Lbfgs(10, 3, 1e-10).minimize(f, new double[] {-1.2, 1});
        assertFalse(capped.converged());
        assertEquals(3, capped.iterations());
    }

    @Test
    void startingAtTheMinimumStopsAtOnce() {
        Lbfgs.Objective f = (x, g) -> {
            g[0] = 2 * x[0];
            return x[0] * x[0];
        };
        Lbfgs.Result r = new Lbfgs(5, 100, 1e-6).minimize(f, new double[] {0});
        assertTrue(r.converged());
        assertEquals(0, r.iterations());
    }
}
