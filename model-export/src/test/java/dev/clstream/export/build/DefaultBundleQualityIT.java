package dev.clstream.export.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.bundle.LogitsSource;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.export.data.LabeledText;
import dev.clstream.export.data.SpamAssassinCorpus;
import dev.clstream.export.train.Evaluation;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default bundles as the build made them, judged end to end on their held-out split: text in,
 * tokenizer, ONNX graph, head, probabilities out. The split is rebuilt from the seed recorded in
 * each bundle, and none of its messages was seen in training.
 */
class DefaultBundleQualityIT {
    static List<LabeledText> corpus;

    @BeforeAll
    static void readCorpus() {
        corpus = SpamAssassinCorpus.read(Path.of(System.getProperty("clstream.spamassassin"))).stream()
                .map(SpamAssassinCorpus.Message::asLabeledText).toList();
    }

    @Test
    void fp32BundleMeetsItsQualityBar() {
        Evaluation e = evaluate("bge-small-en-v15-spam", 2);
        assertTrue(e.accuracy() >= 0.97, "held-out accuracy " + e.accuracy());
        assertTrue(e.f1("spam") >= 0.95, "held-out spam F1 " + e.f1("spam"));
    }

    @Test
    void int8BundleHasItsOwnEvaluation() {
        // Dynamic int8 quantisation scales activations per tensor, over the whole batch, so h_0 depends on which texts
        // share a run. Training and this recomputation both run one text at a time (the CPU default), so they agree.
        Evaluation e = evaluate("bge-small-en-v15-spam-int8", 2);
        // No bar is promised for int8; it must still be a working spam filter, measured on its own.
        assertTrue(e.accuracy() >= 0.9, "held-out accuracy " + e.accuracy());
    }

    /** @param tolerance how many held-out messages may be judged differently than at training time */
    private static Evaluation evaluate(String name, int tolerance) {
        ModelBundle bundle = ModelBundle.load(Path.of(System.getProperty("clstream.bundles.dir"), name));
        assertEquals(List.of("ham", "spam"), bundle.manifest().labels());
        assertTrue(bundle.manifest().logits().orElseThrow() instanceof LogitsSource.LinearHead);
        Evaluation recomputed;
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults())) {
            recomputed = HeldOutEvaluation.run(engine, corpus);
        }
        Evaluation stored = HeldOutEvaluation.stored(bundle);
        System.out.printf("%s held-out (recomputed end to end):%n%s", name, recomputed.format());
        assertEquals(stored.total(), recomputed.total(), "same held-out split as at training time");
        // Float rounding (other kernels, other thread counts) may move a borderline message or two.
        assertTrue(Math.abs(stored.correct() - recomputed.correct()) <= tolerance,
                "stored " + stored.correct() + " correct vs recomputed " + recomputed.correct());
        return recomputed;
    }
}
