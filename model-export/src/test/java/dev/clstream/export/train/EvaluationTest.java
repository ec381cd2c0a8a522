package dev.clstream.export.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationTest {
    static final List<String> LABELS = List.of("alpha", "beta", "gamma");

    /** Rows actual, columns predicted. */
    static final long[][] CONFUSION = {
        {5, 1, 0},
        {2, 3, 1},
        {0, 0, 4},
    };

    /**
     * Examples making {@link #CONFUSION}: the predicted class gets 0.6; a correct prediction
     * leaves 0.2 to each other class, a wrong one gives the actual class 0.3 and the third 0.1.
     */
    static Evaluation handMade() {
        List<Integer> actual = new ArrayList<>();
        List<float[]> probs = new ArrayList<>();
        for (int a = 0; a < 3; a++) {
            for (int p = 0; p < 3; p++) {
                for (long n = 0; n < CONFUSION[a][p]; n++) {
                    float[] row = new float[3];
                    if (a == p) {
                        java.util.Arrays.fill(row, 0.2f);
                    } else {
                        java.util.Arrays.fill(row, 0.1f);
                        row[a] = 0.3f;
                    }
                    row[p] = 0.6f;
                    actual.add(a);
                    probs.add(row);
                }
            }
        }
        return Evaluation.of(LABELS, actual.stream().mapToInt(Integer::intValue).toArray(),
                probs.toArray(float[][]::new));
    }

    static final double F1_ALPHA = 10.0 / 13; // p 5/7, r 5/6
    static final double F1_BETA = 0.6;        // p 3/4, r 1/2
    static final double F1_GAMMA = 8.0 / 9;   // p 4/5, r 1
    static final double LOG_LOSS = -(12 * Math.log(0.6f) + 4 * Math.log(0.3f)) / 16;

    @Test
    void metricsMatchTheHandComputedValues() {
        Evaluation e = handMade();
        for (int a = 0; a < 3; a++) {
            assertArrayEquals(CONFUSION[a], e.confusion()[a], "confusion row " + a);
        }
        assertEquals(16, e.total());
        assertEquals(12, e.correct());
        assertEquals(0.75, e.accuracy(), 1e-12);
        assertEquals(5.0 / 7, e.precision(0), 1e-12);
        assertEquals(3.0 / 4, e.precision(1), 1e-12);
        assertEquals(4.0 / 5, e.precision(2), 1e-12);
        assertEquals(5.0 / 6, e.recall(0), 1e-12);
        assertEquals(0.5, e.recall(1), 1e-12);
        assertEquals(1.0, e.recall(2), 1e-12);
        assertEquals(6, e.support(0));
        assertEquals(6, e.support(1));
        assertEquals(4, e.support(2));
        assertEquals(F1_ALPHA, e.f1(0), 1e-12);
        assertEquals(F1_BETA, e.f1("beta"), 1e-12);
        assertEquals(F1_GAMMA, e.f1("gamma"), 1e-12);
        assertEquals((F1_ALPHA + F1_BETA + F1_GAMMA) / 3, e.macroF1(), 1e-12);
        assertEquals(LOG_LOSS, e.logLoss(), 1e-9);
    }

    @Test
    void tiesGoToTheLowerIdAndZeroProbabilityIsClamped() {
        Evaluation e = Evaluation.of(List.of("no", "yes"), new int[] {1, 0}, new float[][] {{0.5f, 0.5f}, {0f, 1f}});
        assertEquals(1, e.confusion()[1][0], "a tie predicts the first label");
        assertEquals(1, e.confusion()[0][1]);
        assertEquals(0, e.accuracy());
        assertEquals((-Math.log(0.5) - Math.log(1e-15)) / 2, e.logLoss(), 1e-9);
        assertTrue(Double.isFinite(e.logLoss()));
    }

    @Test
    void classNeverPredictedOrAbsentScoresZeroNotNaN() {
        Evaluation e = Evaluation.of(List.of("a", "b", "c"), new int[] {0, 0, 1},
                new float[][] {{0.9f, 0.1f, 0f}, {0.9f, 0.1f, 0f}, {0.9f, 0.1f, 0f}});
        assertEquals(0, e.precision(1));
        assertEquals(0, e.recall(1));
        assertEquals(0, e.f1(2));
        assertEquals(0, e.support(2));
        assertEquals((0.8 + 0 + 0) / 3, e.macroF1(), 1e-12);
    }

    @Test
    void emptyEvaluationIsAllZero() {
        Evaluation e = Evaluation.of(List.of("a", "b"), new int[0], new float[0][]);
        assertEquals(0, e.total());
        assertEquals(0, e.accuracy());
        assertEquals(0, e.logLoss());
        assertEquals(0, e.macroF1());
    }

    @Test
    void jsonHoldsEveryMetricAndReadsBack() throws Exception {
        Evaluation e = handMade();
        ObjectNode json = e.toJson();
        assertEquals(16, json.get("examples").asLong());
        assertEquals(0.75, json.get("accuracy").asDouble());
        assertEquals((F1_ALPHA + F1_BETA + F1_GAMMA) / 3, json.get("macro_f1").asDouble(), 1e-6);
        assertEquals(LOG_LOSS, json.get("log_loss").asDouble(), 1e-6);
        JsonNode beta = json.get("per_class").get("beta");
        assertEquals(0.75, beta.get("precision").asDouble());
        assertEquals(0.5, beta.get("recall").asDouble());
        assertEquals(0.6, beta.get("f1").asDouble());
        assertEquals(6, beta.get("support").asLong());
        assertEquals(List.of("alpha", "beta", "gamma"),
                new ObjectMapper().convertValue(json.get("confusion_matrix").get("labels"), List.class));
        assertEquals("[[5,1,0],[2,3,1],[0,0,4]]", json.get("confusion_matrix").get("rows_actual_columns_predicted").toString());

        // through text, as bundle.json stores it
        JsonNode reread = new ObjectMapper().readTree(json.toString());
        Evaluation back = Evaluation.fromJson(reread);
        assertEquals(LABELS, back.labels());
        for (int a = 0; a < 3; a++) {
            assertArrayEquals(CONFUSION[a], back.confusion()[a]);
        }
        assertEquals(e.logLoss(), back.logLoss(), 1e-6);
        assertEquals(e.accuracy(), back.accuracy());
        assertEquals(e.macroF1(), back.macroF1(), 1e-12);
        assertEquals(json, back.toJson());
    }

    @Test
    void formatShowsTheNumbers() {
        String text = handMade().format();
        assertTrue(text.startsWith("accuracy 0.7500 (12/16)"), text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "macro F1 %.4f", (F1_ALPHA + F1_BETA + F1_GAMMA) / 3)), text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "log loss %.4f", LOG_LOSS)), text);
        assertTrue(text.contains("precision") && text.contains("recall") && text.contains("support"), text);
        assertTrue(text.matches("(?s).*\\balpha\\s+0\\.7143\\s+0\\.8333\\s+0\\.7692\\s+6\\b.*"), text);
        assertTrue(text.matches("(?s).*\\bbeta\\s+0\\.7500\\s+0\\.5000\\s+0\\.6000\\s+6\\b.*"), text);
        assertTrue(text.matches("(?s).*\\bgamma\\s+0\\.8000\\s+1\\.0000\\s+0\\.8889\\s+4\\b.*"), text);
        assertTrue(text.contains("confusion matrix (rows: actual, columns: predicted)"), text);
        assertTrue(text.matches("(?s).*\\nbeta\\s+2\\s+3\\s+1\\n.*"), text);
    }
}
