package dev.clstream.export.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.bundle.LogitsSource;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.export.cli.ExportCli;
import dev.clstream.export.data.LabeledText;
import dev.clstream.export.data.SpamAssassinCorpus;
import dev.clstream.export.train.Evaluation;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Prediction;
import dev.clstream.inference.Softmax;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The default bundles as the build assembled them from the heads committed in model-export/heads:
 * each head is trained again here from its train-head.args and must come out the same (same
 * fingerprint, weights within tolerance, same predictions on the held-out split), then the bundle is
 * judged end to end on that split: text in, tokenizer, ONNX graph, head, probabilities out. None of
 * the held-out messages was seen in training.
 */
class DefaultBundlesIT {
    private static final Path HEADS = Path.of(System.getProperty("clstream.heads.dir"));
    private static final Path BUNDLES = Path.of(System.getProperty("clstream.bundles.dir"));
    private static List<LabeledText> corpus;

    @BeforeAll
    static void readCorpus() {
        corpus = SpamAssassinCorpus.read(Path.of(System.getProperty("clstream.spamassassin"))).stream()
                .map(SpamAssassinCorpus.Message::asLabeledText).toList();
    }

    @Test
    void fp32BundleIsReproducedAndMeetsItsQualityBar() {
        Evaluation e = check("bge-small-en-v15-spam", 1e-3, 0, 2);
        assertTrue(e.accuracy() >= 0.97, "held-out accuracy " + e.accuracy());
        assertTrue(e.f1("spam") >= 0.95, "held-out spam F1 " + e.f1("spam"));
    }

    @Test
    void int8BundleIsReproducedAndHasItsOwnEvaluation() {
        // Dynamic int8 quantisation scales activations per tensor, over the whole run, so h_0 depends on which texts
        // share a run; training and this recomputation both run one text at a time (the CPU default), so they agree.
        // Quantised kernels differ between CPUs (VNNI or not): a wider margin than fp32's, as in its parity.json.
        Evaluation e = check("bge-small-en-v15-spam-int8", 5e-2, 2, 2);
        // No bar is promised for int8; it must still be a working spam filter, measured on its own.
        assertTrue(e.accuracy() >= 0.9, "held-out accuracy " + e.accuracy());
    }

    /**
     * @param weightTolerance how far a retrained weight may lie from the committed one, relative to the largest
     * @param changedPredictions how many held-out messages the retrained head may judge otherwise
     * @param recomputeTolerance how many held-out messages may be judged otherwise than at training time, end to
     *        end (float rounding of other kernels or thread counts may move a borderline message or two)
     * @return the end-to-end held-out evaluation of the assembled bundle
     */
    private static Evaluation check(String name, double weightTolerance, int changedPredictions,
                                    int recomputeTolerance) {
        ModelBundle assembled = ModelBundle.load(BUNDLES.resolve(name));
        String encoderVersion = System.getProperty("clstream.langchain4j.version");
        assertTrue(assembled.manifest().provenance().path("encoder").asText().contains(encoderVersion),
                name + ": the committed head must name the encoder artifact the build uses (" + encoderVersion
                        + "): update its train-head.args and retrain");

        // Trained again, from scratch, with the committed settings (relative paths: the module is the working dir).
        Path again = Path.of("target", "retrained-heads", name);
        int exit = new CommandLine(new ExportCli()).execute("train-head", "@" + HEADS.resolve(name)
                .resolve("train-head.args"), "--out=" + again, "--embedding-cache=target/embedding-cache", "--force");
        assertEquals(0, exit, name + ": train-head exit status");
        ModelBundle retrained = ModelBundle.load(again);
        assertEquals(fingerprint(assembled), fingerprint(retrained), name + ": same inputs");
        assertEquals(assembled.manifest().labels(), retrained.manifest().labels());
        assertEquals(assembled.manifest().evaluation().get("lambda"), retrained.manifest().evaluation().get("lambda"),
                name + ": the cross-validation chose the same lambda");
        LogitsSource.LinearHead committed = head(assembled);
        LogitsSource.LinearHead trained = head(retrained);
        double diff = maxAbsDiff(committed, trained);
        double scale = maxAbs(committed);
        System.out.printf("%s: retrained weights differ by at most %.3g (largest weight %.3g)%n", name, diff, scale);
        assertTrue(diff <= weightTolerance * scale, name + ": retrained weights differ by " + diff + ", more than "
                + weightTolerance + " x " + scale);

        // End to end on the held-out split; the retrained head judges the very same h_0.
        HeldOutEvaluation.Classified heldOut;
        try (InferenceEngine engine = InferenceEngine.open(assembled, EncoderOptions.defaults())) {
            heldOut = HeldOutEvaluation.classify(engine, corpus);
        }
        int changed = 0;
        for (Prediction p : heldOut.predictions()) {
            changed += argmax(p.classification().probabilities()) == argmax(Softmax.apply(trained.logits(p.embedding())))
                    ? 0 : 1;
        }
        System.out.printf("%s: the retrained head judges %d of %d held-out messages otherwise%n", name, changed,
                heldOut.predictions().size());
        assertTrue(changed <= changedPredictions, name + ": " + changed + " held-out predictions changed");

        Evaluation recomputed = heldOut.evaluation();
        Evaluation stored = HeldOutEvaluation.stored(assembled);
        System.out.printf("%s held-out (recomputed end to end):%n%s", name, recomputed.format());
        assertEquals(stored.total(), recomputed.total(), "same held-out split as at training time");
        assertTrue(Math.abs(stored.correct() - recomputed.correct()) <= recomputeTolerance,
                "stored " + stored.correct() + " correct vs recomputed " + recomputed.correct());
        return recomputed;
    }

    private static String fingerprint(ModelBundle bundle) {
        return bundle.manifest().provenance().path(HeadBundleBuilder.FINGERPRINT_FIELD).asText();
    }

    private static LogitsSource.LinearHead head(ModelBundle bundle) {
        return (LogitsSource.LinearHead) bundle.manifest().logits().orElseThrow();
    }

    private static double maxAbsDiff(LogitsSource.LinearHead a, LogitsSource.LinearHead b) {
        double max = 0;
        for (int k = 0; k < a.weights().length; k++) {
            for (int j = 0; j < a.weights()[k].length; j++) {
                max = Math.max(max, Math.abs(a.weights()[k][j] - b.weights()[k][j]));
            }
            max = Math.max(max, Math.abs(a.bias()[k] - b.bias()[k]));
        }
        return max;
    }

    private static double maxAbs(LogitsSource.LinearHead h) {
        double max = 0;
        for (float[] row : h.weights()) {
            for (float w : row) {
                max = Math.max(max, Math.abs(w));
            }
        }
        return max;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
