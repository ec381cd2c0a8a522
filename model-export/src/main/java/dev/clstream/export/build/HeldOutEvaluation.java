package dev.clstream.export.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.export.data.LabeledText;
import dev.clstream.export.train.Evaluation;
import dev.clstream.export.train.StratifiedSplit;
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

    public static Evaluation run(InferenceEngine engine, List<LabeledText> examples) {
        ModelBundle bundle = engine.bundle();
        if (!bundle.manifest().hasClassifier()) {
            throw new BundleException(bundle.directory() + ": has no classifier to evaluate");
        }
        JsonNode trainer = bundle.manifest().evaluation().path("trainer");
        if (!trainer.has("seed") || !trainer.has("test_fraction")) {
            throw new BundleException(bundle.directory() + ": bundle.json records no training split "
                    + "(evaluation.trainer.seed / test_fraction); it was not made by train-head");
        }
        List<String> labels = bundle.manifest().labels();
        List<LabeledText> usable = Embedder.usable(engine, examples);
        int[] y = usable.stream().mapToInt(e -> labels.indexOf(e.label())).toArray();
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0) {
                throw new IllegalArgumentException("example " + usable.get(i).id() + " has label '"
                        + usable.get(i).label() + "', which the bundle does not know (" + labels + ")");
            }
        }
        StratifiedSplit split = StratifiedSplit.of(y, trainer.get("test_fraction").asDouble(),
                trainer.get("seed").asLong());
        List<TokenizedText> test = new ArrayList<>(split.test().length);
        int[] actual = new int[split.test().length];
        for (int i = 0; i < split.test().length; i++) {
            test.add(engine.tokenize(usable.get(split.test()[i]).text()));
            actual[i] = y[split.test()[i]];
        }
        List<Prediction> predictions = engine.predict(test);
        float[][] probabilities = predictions.stream().map(p -> p.classification().probabilities()).toArray(float[][]::new);
        return Evaluation.of(labels, actual, probabilities);
    }

    /** The held-out evaluation recorded at training time, or null. */
    public static Evaluation stored(ModelBundle bundle) {
        JsonNode n = bundle.manifest().evaluation().get("held_out");
        return n == null ? null : Evaluation.fromJson(n);
    }
}
