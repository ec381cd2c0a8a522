package dev.clstream.export.train;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeadTrainerTest {
    /** Class ids of the blobs map to these names; note they are not in sorted order. */
    static final List<String> NAMES = List.of("spam", "ham", "eggs");

    static List<String> names(int[] y) {
        List<String> out = new ArrayList<>();
        for (int c : y) {
            out.add(NAMES.get(c));
        }
        return out;
    }

    static Blobs data() {
        return Blobs.of(new double[][] {{3, 0, 0, 1}, {0, 3, 0, 1}, {0, 0, 3, 1}}, new int[] {118, 83, 52}, 1, 21);
    }

    @Test
    void reportsSplitLambdaCrossValidationAndHeldOutEvaluation() {
        Blobs b = data();
        HeadTrainer.Config config = HeadTrainer.Config.defaults();
        HeadTrainer.Result r = new HeadTrainer(config).train(b.x, names(b.y), List.of());
        JsonNode report = r.report();

        assertEquals(List.of("eggs", "ham", "spam"), r.labels(), "default order: sorted distinct labels");
        int test = report.get("test_examples").asInt();
        int train = report.get("train_examples").asInt();
        assertEquals(253, train + test);
        assertEquals(24 + 17 + 10, test, "per class: round(0.2 * 118), round(0.2 * 83), round(0.2 * 52)");

        assertTrue(Arrays.stream(config.lambdas()).anyMatch(l -> l == r.lambda()), "lambda " + r.lambda());
        assertEquals(r.lambda(), report.get("lambda").asDouble());
        JsonNode cv = report.get("cv_mean_log_loss");
        assertEquals(config.lambdas().length, cv.size());
        double best = Double.POSITIVE_INFINITY;
        for (Iterator<JsonNode> it = cv.elements(); it.hasNext(); ) {
            best = Math.min(best, it.next().asDouble());
        }
        assertEquals(best, cv.get(Double.toString(r.lambda())).asDouble(), "chosen lambda has the lowest CV loss");

        JsonNode trainer = report.get("trainer");
        assertEquals(0.2, trainer.get("test_fraction").asDouble());
        assertEquals(42, trainer.get("seed").asLong());
        assertEquals(5, trainer.get("cv_folds").asInt());
        assertEquals(config.lambdas().length, trainer.get("lambda_grid").size());
        assertTrue(report.get("optimizer_iterations").asInt() > 0);
        assertTrue(report.has("optimizer_converged"));

        assertEquals(test, r.heldOut().total());
        assertEquals(r.labels(), r.heldOut().labels());
        assertEquals(r.heldOut().toJson(), report.get("held_out"));
        assertTrue(r.heldOut().accuracy() > 0.9, "held-out accuracy " + r.heldOut().accuracy());
        assertEquals(3, r.head().labelCount());
        assertEquals(4, r.head().hiddenSize());
    }

    @Test
    void heldOutEvaluationIsOnTheExamplesTheSplitLeftOut() {
        Blobs b = data();
        HeadTrainer.Config config = HeadTrainer.Config.defaults();
        HeadTrainer.Result r = new HeadTrainer(config).train(b.x, names(b.y), List.of());
        int[] y = names(b.y).stream().mapToInt(r.labels()::indexOf).toArray();
        StratifiedSplit split = StratifiedSplit.of(y, config.testFraction(), config.seed());
        Evaluation again = HeadTrainer.evaluate(r.head(), r.labels(), HeadTrainer.rows(b.x, split.test()),
                HeadTrainer.pick(y, split.test()));
        for (int c = 0; c < 3; c++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(again.confusion()[c], r.heldOut().confusion()[c]);
        }
        assertEquals(again.logLoss(), r.heldOut().logLoss(), 1e-12);
    }

    @Test
    void givenLabelOrderIsTheHeadsRowOrder() {
        Blobs b = data();
        HeadTrainer.Result r = new HeadTrainer(HeadTrainer.Config.defaults()).train(b.x, names(b.y), NAMES);
        assertEquals(NAMES, r.labels());
        // blob c (named NAMES[c]) must come out as row c
        assertTrue(Blobs.accuracy(r.head(), b.x, b.y) > 0.9);
        assertEquals(r.labels(), r.heldOut().labels());
        assertTrue(r.report().get("held_out").get("per_class").has("eggs"));
    }

    @Test
    void trainingIsDeterministic() {
        Blobs b = data();
        HeadTrainer.Result first = new HeadTrainer(HeadTrainer.Config.defaults()).train(b.x, names(b.y), List.of());
        HeadTrainer.Result second = new HeadTrainer(HeadTrainer.Config.defaults()).train(b.x, names(b.y), List.of());
        assertEquals(first.head(), second.head());
        assertEquals(first.report(), second.report());
    }

    @Test
    void seedChangesTheSplit() {
        Blobs b = data();
        HeadTrainer.Config d = HeadTrainer.Config.defaults();
        HeadTrainer.Config other = new HeadTrainer.Config(d.testFraction(), 7, d.lambdas(), d.folds(), d.maxIterations());
        HeadTrainer.Result r1 = new HeadTrainer(d).train(b.x, names(b.y), List.of());
        HeadTrainer.Result r2 = new HeadTrainer(other).train(b.x, names(b.y), List.of());
        assertTrue(!r1.head().equals(r2.head()));
        assertEquals(7, r2.report().get("trainer").get("seed").asLong());
    }

    @Test
    void extraRowsJoinTheTrainingSideOnlyWithTheirOwnExample() {
        Blobs b = data();
        HeadTrainer trainer = new HeadTrainer(HeadTrainer.Config.defaults());
        HeadTrainer.Result plain = trainer.train(b.x, names(b.y), List.of());
        assertEquals(plain.head(), trainer.train(b.x, names(b.y), List.of(), new float[b.x.length][][]).head(),
                "no extra rows: the head trained without them");

        // Rows that would pull every class towards another one, given to the held-out examples only: unused.
        float[][][] onHeldOut = new float[b.x.length][][];
        for (int i : plain.heldOutIndices()) {
            onHeldOut[i] = new float[][] {b.x[(i + 1) % b.x.length], b.x[(i + 2) % b.x.length]};
        }
        HeadTrainer.Result heldOutExtras = trainer.train(b.x, names(b.y), List.of(), onHeldOut);
        assertEquals(plain.head(), heldOutExtras.head(), "no view of a held-out example is trained on");
        assertEquals(plain.heldOut().logLoss(), heldOutExtras.heldOut().logLoss());

        // The same rows on the training side change the head, and are counted.
        float[][][] onTraining = new float[b.x.length][][];
        boolean[] test = new boolean[b.x.length];
        Arrays.stream(plain.heldOutIndices()).forEach(i -> test[i] = true);
        int extra = 0;
        for (int i = 0; i < b.x.length; i++) {
            if (!test[i]) {
                onTraining[i] = new float[][] {b.x[(i + 1) % b.x.length]};
                extra++;
            }
        }
        HeadTrainer.Result trained = trainer.train(b.x, names(b.y), List.of(), onTraining);
        assertTrue(!plain.head().equals(trained.head()), "extra rows of training examples are trained on");
        assertEquals(trained.report().get("train_examples").asInt() + extra,
                trained.report().get("train_rows_with_views").asInt());
        assertTrue(!plain.report().has("train_rows_with_views"));
        assertEquals(plain.report().get("test_examples"), trained.report().get("test_examples"),
                "the split is by example");
    }

    @Test
    void extraRowsNeedOneEntryPerExample() {
        Blobs b = data();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HeadTrainer(HeadTrainer.Config.defaults()).train(b.x, names(b.y), List.of(),
                        new float[b.x.length - 1][][]));
        assertMessageNames(e, "extra rows", Integer.toString(b.x.length));
    }

    @Test
    void labelMissingFromTheGivenOrderIsAnError() {
        Blobs b = data();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HeadTrainer(HeadTrainer.Config.defaults()).train(b.x, names(b.y), List.of("spam", "ham")));
        assertMessageNames(e, "'eggs'");
    }

    @Test
    void oneLabelIsAnError() {
        Blobs b = data();
        List<String> same = b.y.length == 0 ? List.of() : java.util.Collections.nCopies(b.y.length, "spam");
        assertThrows(IllegalArgumentException.class,
                () -> new HeadTrainer(HeadTrainer.Config.defaults()).train(b.x, same, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new HeadTrainer(HeadTrainer.Config.defaults()).train(b.x, same, List.of("spam")));
    }

    @Test
    void configNeedsLambdasAndTwoFolds() {
        assertThrows(IllegalArgumentException.class, () -> new HeadTrainer.Config(0.2, 1, new double[0], 5, 10));
        assertThrows(IllegalArgumentException.class, () -> new HeadTrainer.Config(0.2, 1, new double[] {1}, 1, 10));
        double[] grid = {0.1, 1};
        HeadTrainer.Config c = new HeadTrainer.Config(0.2, 1, grid, 3, 10);
        grid[0] = 99;
        assertEquals(0.1, c.lambdas()[0], "config copies its grid");
    }

    /**
     * A label order that names a label twice would give a bundle.json that ModelBundle.load refuses
     * ("label 'ham' appears twice"); the trainer should refuse it up front.
     */
    @Test
    void duplicateLabelInOrderIsAnError() {
        Blobs b = data();
        assertThrows(IllegalArgumentException.class, () -> new HeadTrainer(HeadTrainer.Config.defaults())
                .train(b.x, names(b.y), List.of("spam", "ham", "ham", "eggs")));
    }
}
