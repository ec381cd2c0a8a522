package dev.clstream.inference;

/** Small vector helpers for embeddings. */
public final class Vectors {
    private Vectors() {}

    public static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors differ in length: " + a.length + " vs " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    public static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }

    public static double cosine(float[] a, float[] b) {
        return dot(a, b) / (norm(a) * norm(b));
    }

    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors differ in length: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** The element-wise mean of {@code rows[from .. from + count)}, summed in double and in order. */
    public static float[] mean(float[][] rows, int from, int count) {
        double[] sum = new double[rows[from].length];
        for (int r = from; r < from + count; r++) {
            if (rows[r].length != sum.length) {
                throw new IllegalArgumentException("vectors differ in length: " + sum.length + " vs " + rows[r].length);
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] += rows[r][i];
            }
        }
        float[] out = new float[sum.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (sum[i] / count);
        }
        return out;
    }
}
