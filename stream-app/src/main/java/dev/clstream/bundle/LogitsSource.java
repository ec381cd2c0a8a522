package dev.clstream.bundle;

import java.util.Arrays;

/**
 * Where a bundle's class logits come from: the ONNX graph's own output, or a linear head over h_0
 * that is stored in bundle.json.
 */
public sealed interface LogitsSource permits LogitsSource.GraphOutput, LogitsSource.LinearHead {

    /** Number of classes this source produces. */
    int labelCount();

    /** The graph computes logits itself (a sequence-classification export), as output {@code outputName}. */
    record GraphOutput(String outputName, int labelCount) implements LogitsSource {}

    /** logits = W·h_0 + b, with W [labels x hidden] and b [labels]. */
    record LinearHead(float[][] weights, float[] bias) implements LogitsSource {
        public LinearHead {
            weights = Arrays.stream(weights).map(float[]::clone).toArray(float[][]::new);
            bias = bias.clone();
        }

        @Override
        public int labelCount() {
            return weights.length;
        }

        public int hiddenSize() {
            return weights.length == 0 ? 0 : weights[0].length;
        }

        /** W·h + b into a fresh array; h must have {@link #hiddenSize()} elements. */
        public float[] logits(float[] h) {
            float[] out = new float[weights.length];
            for (int k = 0; k < weights.length; k++) {
                float[] w = weights[k];
                double acc = bias[k];
                for (int j = 0; j < w.length; j++) {
                    acc += (double) w[j] * h[j];
                }
                out[k] = (float) acc;
            }
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LinearHead other
                    && Arrays.deepEquals(weights, other.weights)
                    && Arrays.equals(bias, other.bias);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.deepHashCode(weights) + Arrays.hashCode(bias);
        }

        @Override
        public String toString() {
            return "LinearHead[" + weights.length + "x" + hiddenSize() + "]";
        }
    }
}
