package dev.clstream.export.train;

/**
 * Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives such
 * as L2-regularised logistic regression. Deterministic: no randomness, fixed iteration order.
 */
final class Lbfgs {

    /** f(x), writing the gradient into {@code grad}. */
    interface Objective {
        double evaluate(double[] x, double[] grad);
    }

    record Result(double[] x, double value, int iterations, boolean converged) {}

    private final int memory;
    private final int maxIterations;
    private final double gradientTolerance;

    Lbfgs(int memory, int maxIterations, double gradientTolerance) {
        this.memory = memory;
        this.maxIterations = maxIterations;
        this.gradientTolerance = gradientTolerance;
    }

    Result minimize(Objective f, double[] start) {
        int n = start.length;
        double[] x = start.clone();
        double[] g = new double[n];
        double fx = f.evaluate(x, g);
        double[][] s = new double[memory][];
        double[][] y = new double[memory][];
        double[] rho = new double[memory];
        int stored = 0;
        int head = 0;
        double[] dir = new double[n];
        double[] alpha = new double[memory];
        double[] xNew = new double[n];
        double[] gNew = new double[n];
        for (int iter = 1; iter <= maxIterations; iter++) {
            if (norm(g) <= gradientTolerance * Math.max(1, norm(x))) {
                return new Result(x, fx, iter - 1, true);
            }
            // Two-loop recursion: dir = -H g.
            for (int i = 0; i < n; i++) {
                dir[i] = -g[i];
            }
            for (int k = 0; k < stored; k++) {
                int j = Math.floorMod(head - 1 - k, memory);
                alpha[j] = rho[j] * dot(s[j], dir);
                axpy(-alpha[j], y[j], dir);
            }
            if (stored > 0) {
                int last = Math.floorMod(head - 1, memory);
                scale(dir, dot(s[last], y[last]) / dot(y[last], y[last]));
            } else {
                scale(dir, 1 / Math.max(1, norm(g)));
            }
            for (int k = stored - 1; k >= 0; k--) {
                int j = Math.floorMod(head - 1 - k, memory);
                double beta = rho[j] * dot(y[j], dir);
                axpy(alpha[j] - beta, s[j], dir);
            }
            double slope = dot(g, dir);
            if (slope >= 0) {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                stored = 0;
                for (int i = 0; i < n; i++) {
                    dir[i] = -g[i] / Math.max(1, norm(g));
                }
                slope = dot(g, dir);
            }
            double step = 1;
            double fNew;
            while (true) {
                for (int i = 0; i < n; i++) {
                    xNew[i] = x[i] + step * dir[i];
                }
                fNew = f.evaluate(xNew, gNew);
                if (fNew <= fx + 1e-4 * step * slope || step < 1e-12) {
                    break;
                }
                step *= 0.5;
            }
            double[] sk = new double[n];
            double[] yk = new double[n];
            for (int i = 0; i < n; i++) {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }
            double sy = dot(sk, yk);
            if (sy > 1e-12) {
                s[head] = sk;
                y[head] = yk;
                rho[head] = 1 / sy;
                head = (head + 1) % memory;
                stored = Math.min(stored + 1, memory);
            }
            boolean stalled = Math.abs(fx - fNew) <= 1e-12 * Math.max(1, Math.abs(fx));
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            fx = fNew;
            if (stalled) {
                return new Result(x, fx, iter, true);
            }
        }
        return new Result(x, fx, maxIterations, false);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double[] x, double a) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= a;
        }
    }
}
