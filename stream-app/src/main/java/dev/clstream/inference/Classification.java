package dev.clstream.inference;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every label's probability (in label id order), and the top label with its probability. */
public record Classification(List<String> labels, float[] probabilities) {

    public Classification {
        labels = List.copyOf(labels);
        probabilities = probabilities.clone();
        if (labels.size() != probabilities.length) {
            throw new IllegalArgumentException(labels.size() + " labels but " + probabilities.length + " probabilities");
        }
    }

    /** Softmax over {@code logits}. */
    public static Classification fromLogits(List<String> labels, float[] logits) {
        return new Classification(labels, Softmax.apply(logits));
    }

    public int topIndex() {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }

    public String label() {
        return labels.get(topIndex());
    }

    public float score() {
        return probabilities[topIndex()];
    }

    public float probability(int labelId) {
        return probabilities[labelId];
    }

    /** label -> probability, in label id order. */
    public Map<String, Float> asMap() {
        Map<String, Float> m = new LinkedHashMap<>();
        for (int i = 0; i < probabilities.length; i++) {
            m.put(labels.get(i), probabilities[i]);
        }
        return m;
    }
}
