package dev.clstream.inference;

/** Numerically stable softmax: shift by the maximum, accumulate in double. */
public final class Softmax {
    private Softmax() {}

    public static float[] apply(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("softmax of no logits");
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            if (!Float.isFinite(v)) {
                throw new ArithmeticException("logit is not finite: " + v);
            }
            max = Math.max(max, v);
        }
        double[] e = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }
}
