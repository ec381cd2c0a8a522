package dev.clstream.export.train;

import java.util.Random;

/** Seeded gaussian blobs for training tests: class c is centred at {@code centres[c]} with unit spread. */
final class Blobs {
    final float[][] x;
    final int[] y;

    private Blobs(float[][] x, int[] y) {
        this.x = x;
        this.y = y;
    }

    /**
     * {@code perClass[c]} points around centre c; {@code spread} is the standard deviation on every
     * axis. Classes are interleaved so that no code can rely on the data being sorted by class.
     */
    static Blobs of(double[][] centres, int[] perClass, double spread, long seed) {
        Random rnd = new Random(seed);
        int n = 0;
        for (int m : perClass) {
            n += m;
        }
        float[][] x = new float[n][];
        int[] y = new int[n];
        int[] left = perClass.clone();
        int i = 0;
        while (i < n) {
            for (int c = 0; c < centres.length && i < n; c++) {
                if (left[c] == 0) {
                    continue;
                }
                left[c]--;
                float[] row = new float[centres[c].length];
                for (int j = 0; j < row.length; j++) {
                    row[j] = (float) (centres[c][j] + spread * rnd.nextGaussian());
                }
                x[i] = row;
                y[i] = c;
                i++;
            }
        }
        return new Blobs(x, y);
    }

    /** Two well separated classes in 4 dimensions (centre distance 8, unit spread). */
    static Blobs twoSeparated(long seed) {
        return of(new double[][] {{-2, 2, -2, 2}, {2, -2, 2, -2}}, new int[] {60, 60}, 1, seed);
    }

    /** Three well separated classes in 3 dimensions. */
    static Blobs threeSeparated(long seed) {
        return of(new double[][] {{8, 0, 0}, {0, 8, 0}, {0, 0, 8}}, new int[] {50, 50, 50}, 1, seed);
    }

    /** Two overlapping classes (centre distance 2): the L2 penalty matters here. */
    static Blobs twoOverlapping(long seed) {
        return of(new double[][] {{-0.5, 0.5, 0}, {0.5, -0.5, 0}}, new int[] {100, 100}, 1, seed);
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static double accuracy(dev.clstream.bundle.LogitsSource.LinearHead head, float[][] x, int[] y) {
        int ok = 0;
        for (int i = 0; i < x.length; i++) {
            if (argmax(head.logits(x[i])) == y[i]) {
                ok++;
            }
        }
        return (double) ok / x.length;
    }

    /** Population standard deviation of each column, as the trainer's standardiser computes it. */
    static double[] columnSd(float[][] x) {
        int d = x[0].length;
        double[] mean = new double[d];
        double[] sq = new double[d];
        for (float[] r : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= x.length;
        }
        for (float[] r : x) {
            for (int j = 0; j < d; j++) {
                sq[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
            }
        }
        double[] sd = new double[d];
        for (int j = 0; j < d; j++) {
            double s = Math.sqrt(sq[j] / x.length);
            sd[j] = s > 1e-12 ? s : 1;
        }
        return sd;
    }
}
