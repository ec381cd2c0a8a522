package dev.clstream.export.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.export.data.LabeledText;
import dev.clstream.export.train.Evaluation;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Prediction;
import dev.clstream.tokenize.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds a trained bundle's held-out split from the seed and fraction recorded in its
 * bundle.json and classifies it end to end through the engine: text in, probabilities out, the
 * path production traffic takes.
 */
public final class HeldOutEvaluation {
    private HeldOutEvaluation() {}

    /**
     * The held-out examples classified end to end: their true class ids and the engine's predictions;
     * and the split they came from: the examples the tokenizer accepts, and the held-out indices into them.
     */
    public record Classified(List<String> labels, int[] actual, List<Prediction> predictions, List<LabeledText> usable,
                             int[] heldOut) {
        public Evaluation evaluation() {
            return Evaluation.of(labels, actual, predictions.stream().map(p -> p.classification().probabilities())
                    .toArray(float[][]::new));
        }
    }

    public static Evaluation run(InferenceEngine engine, List<LabeledText> examples) {
        return classify(engine, examples).evaluation();
    }

    /** Like {@link #run}, keeping each prediction (h_0 and probabilities), e.g. to try another head on the same h_0. */
    public static Classified classify(InferenceEngine engine, List<LabeledText> examples) {
        ModelBundle bundle = engine.bundle();
        if (!bundle.manifest().hasClassifier()) {
            throw new BundleException(bundle.directory() + ": has no classifier to evaluate");
        }
        List<String> labels = bundle.manifest().labels();
        List<LabeledText> usable = Embedder.usable(engine::tokenize, examples);
        int[] heldOut = HeldOutSplit.indices(bundle, usable);
        List<TokenizedText> test = new ArrayList<>(heldOut.length);
        int[] actual = new int[heldOut.length];
        for (int i = 0; i < heldOut.length; i++) {
            test.add(engine.tokenize(usable.get(heldOut[i]).text()));
            actual[i] = labels.indexOf(usable.get(heldOut[i]).label());
        }
        return new Classified(labels, actual, engine.predict(test), usable, heldOut);
    }

    /** The held-out evaluation recorded at training time, or null. */
    public static Evaluation stored(ModelBundle bundle) {
        JsonNode n = bundle.manifest().evaluation().get("held_out");
        return n == null ? null : Evaluation.fromJson(n);
    }
}
