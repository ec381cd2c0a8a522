package dev.clstream.export.build;

import dev.clstream.export.data.LabeledText;
import dev.clstream.export.data.SpamAssassinCorpus;
import dev.clstream.export.data.TextView;
import dev.clstream.export.train.Calibration;
import dev.clstream.export.train.Evaluation;
import dev.clstream.inference.InferenceEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A classifier judged on every view of the held-out messages ({@link TextView}) and on extra
 * labeled sets judged whole: accuracy, every label's precision, recall and F1,
 * and the expected calibration error. The held-out messages are those of the bundle's own split,
 * so no view of a test message was trained on.
 */
public final class ViewEvaluation {
    /** One classifier on one set of texts. */
    public record Row(String view, Evaluation evaluation, double calibrationError) {}

    private ViewEvaluation() {}

    /**
     * The texts to judge, by view name: each view of the split's held-out messages (none when {@code messages} is
     * empty: no views asked for), then each extra set. Texts the engine's tokenizer refuses (an empty subject) are
     * left out of their view.
     */
    public static Map<String, List<LabeledText>> sets(InferenceEngine engine, HeldOutEvaluation.Classified split,
                                                      List<SpamAssassinCorpus.Message> messages,
                                                      Map<String, List<LabeledText>> extraSets) {
        Map<String, SpamAssassinCorpus.Message> byId = new LinkedHashMap<>();
        messages.forEach(m -> byId.put(m.id(), m));
        Map<String, List<LabeledText>> sets = new LinkedHashMap<>();
        for (TextView view : messages.isEmpty() ? new TextView[0] : TextView.values()) {
            List<LabeledText> texts = new ArrayList<>(split.heldOut().length);
            for (int i : split.heldOut()) {
                String id = split.usable().get(i).id();
                SpamAssassinCorpus.Message m = byId.get(id);
                if (m == null) {
                    throw new IllegalArgumentException("held-out example " + id + " is not a message of the corpus");
                }
                texts.add(view.of(m));
            }
            sets.put(view.id(), Embedder.usable(engine::tokenize, texts));
        }
        extraSets.forEach((name, texts) -> sets.put(name, Embedder.usable(engine::tokenize, texts)));
        return sets;
    }

    /** The engine as a classifier of texts: tokenizer, encoder and head, as the stream runs them. */
    public static Function<List<String>, float[][]> classifier(InferenceEngine engine) {
        return texts -> engine.predict(texts.stream().map(engine::tokenize).toList()).stream()
                .map(p -> p.classification().probabilities()).toArray(float[][]::new);
    }

    /** Every set judged by one classifier. */
    public static List<Row> judge(Map<String, List<LabeledText>> sets, List<String> labels,
                                  Function<List<String>, float[][]> classifier) {
        List<Row> rows = new ArrayList<>();
        sets.forEach((view, texts) -> {
            int[] actual = new int[texts.size()];
            for (int i = 0; i < actual.length; i++) {
                actual[i] = labels.indexOf(texts.get(i).label());
                if (actual[i] < 0) {
                    throw new IllegalArgumentException(view + ": example " + texts.get(i).id() + " has label '"
                            + texts.get(i).label() + "', not one of " + labels);
                }
            }
            float[][] p = classifier.apply(texts.stream().map(LabeledText::text).toList());
            rows.add(new Row(view, Evaluation.of(labels, actual, p), Calibration.expectedError(actual, p)));
        });
        return rows;
    }

    /** One line per classifier and view: examples, accuracy, each label's precision/recall/F1, calibration error. */
    public static String format(Map<String, List<Row>> byClassifier) {
        int w = Math.max(12, byClassifier.keySet().stream().mapToInt(String::length).max().orElse(0) + 2);
        List<String> labels = byClassifier.values().iterator().next().get(0).evaluation().labels();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + w + "s %-10s %8s %9s", "classifier",
                "view", "examples", "accuracy"));
        for (String l : labels) {
            sb.append(String.format(Locale.ROOT, " %9s %9s %9s", "P " + l, "R " + l, "F1 " + l));
        }
        sb.append(String.format(Locale.ROOT, " %7s%n", "ECE"));
        byClassifier.forEach((name, rows) -> rows.forEach(r -> {
            Evaluation e = r.evaluation();
            sb.append(String.format(Locale.ROOT, "%-" + w + "s %-10s %8d %9.4f", name, r.view(), e.total(),
                    e.accuracy()));
            for (String l : labels) {
                int c = e.labels().indexOf(l);
                sb.append(String.format(Locale.ROOT, " %9.4f %9.4f %9.4f", e.precision(c), e.recall(c), e.f1(c)));
            }
            sb.append(String.format(Locale.ROOT, " %7.4f%n", r.calibrationError()));
        }));
        return sb.toString();
    }
}
