package dev.clstream.export.build;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.export.data.LabeledText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ViewEvaluationTest {
    private static final List<String> LABELS = List.of("ham", "spam");

    /** Calls everything with "win" in it spam, with 0.9 confidence. */
    private static final Function<List<String>, float[][]> WORD_RULE = texts -> texts.stream()
            .map(t -> t.contains("win") ? new float[] {0.1f, 0.9f} : new float[] {0.9f, 0.1f}).toArray(float[][]::new);

    @Test
    void everySetIsJudgedOnItsOwnInItsOrder() {
        Map<String, List<LabeledText>> sets = new LinkedHashMap<>();
        sets.put("full", List.of(new LabeledText("a", "you win", "spam"), new LabeledText("b", "lunch?", "ham")));
        sets.put("everyday", List.of(new LabeledText("c", "win a prize", "spam"),
                new LabeledText("d", "happy birthday", "spam")));
        List<ViewEvaluation.Row> rows = ViewEvaluation.judge(sets, LABELS, WORD_RULE);
        assertEquals(List.of("full", "everyday"), rows.stream().map(ViewEvaluation.Row::view).toList());
        assertEquals(1.0, rows.get(0).evaluation().accuracy());
        assertEquals(0.5, rows.get(1).evaluation().accuracy());
        assertEquals(0.1, rows.get(0).calibrationError(), 1e-6, "right at 0.9 confidence");
        assertEquals(0.4, rows.get(1).calibrationError(), 1e-6, "half right at 0.9 confidence");

        String table = ViewEvaluation.format(Map.of("rule", rows));
        assertTrue(table.contains("everyday"), table);
        assertTrue(table.lines().count() == 3, table);
    }

    @Test
    void aLabelTheClassifierDoesNotKnowIsNamed() {
        Map<String, List<LabeledText>> sets = Map.of("extra", List.of(new LabeledText("x", "hi", "phishing")));
        assertMessageNames(assertThrows(IllegalArgumentException.class,
                () -> ViewEvaluation.judge(sets, LABELS, WORD_RULE)), "extra", "'phishing'", "[ham, spam]");
    }
}
