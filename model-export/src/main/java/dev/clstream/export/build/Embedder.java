package dev.clstream.export.build;

import dev.clstream.export.data.LabeledText;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Prediction;
import dev.clstream.tokenize.InvalidTextException;
import dev.clstream.tokenize.TokenizedText;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * [CLS] embeddings of labeled texts through the same engine the stream uses, so the head is trained
 * on exactly the h_0 it will see in production (same tokenizer, truncation and graph).
 */
public final class Embedder {
    /** Windows this large let the engine sort by length well and keep every runner busy. */
    private static final int WINDOW = 256;

    /** The examples that had something to embed, their h_0 rows, and how many were skipped (empty texts). */
    public record Embedded(List<LabeledText> examples, float[][] features, int skipped) {}

    private Embedder() {}

    /** Which examples the tokenizer ({@code engine::tokenize}, say) accepts; the rest (empty or blank texts) are left out of training and evaluation. */
    public static List<LabeledText> usable(Consumer<String> tokenizer, List<LabeledText> examples) {
        List<LabeledText> kept = new ArrayList<>(examples.size());
        for (LabeledText e : examples) {
            try {
                tokenizer.accept(e.text());
                kept.add(e);
            } catch (InvalidTextException ignored) {
                // counted by the caller as skipped
            }
        }
        return kept;
    }

    public static Embedded embed(InferenceEngine engine, List<LabeledText> examples, PrintStream progress) {
        return embedUsable(engine, usable(engine::tokenize, examples), examples.size(), progress);
    }

    /** Embeds examples already filtered by {@link #usable}; {@code total} counts the unfiltered ones. */
    public static Embedded embedUsable(InferenceEngine engine, List<LabeledText> kept, int total, PrintStream progress) {
        float[][] features = new float[kept.size()][];
        long start = System.nanoTime();
        long tokens = 0;
        int nextReport = 0;
        for (int from = 0; from < kept.size(); from += WINDOW) {
            List<TokenizedText> window = new ArrayList<>(WINDOW);
            for (LabeledText e : kept.subList(from, Math.min(kept.size(), from + WINDOW))) {
                window.add(engine.tokenize(e.text()));
                tokens += window.get(window.size() - 1).length();
            }
            List<Prediction> predictions = engine.predict(window);
            for (int i = 0; i < predictions.size(); i++) {
                features[from + i] = predictions.get(i).embedding();
            }
            int done = from + window.size();
            if (progress != null && (done >= nextReport || done == kept.size())) {
                double secs = (System.nanoTime() - start) / 1e9;
                progress.printf(Locale.ROOT, "  embedded %d/%d texts (%.1f texts/s, %.0f tokens/s)%n", done,
                        kept.size(), done / secs, tokens / secs);
                nextReport = done + Math.max(WINDOW, kept.size() / 10);
            }
        }
        return new Embedded(kept, features, total - kept.size());
    }
}
