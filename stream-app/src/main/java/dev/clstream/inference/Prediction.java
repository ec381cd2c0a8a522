package dev.clstream.inference;

import dev.clstream.tokenize.TokenizedText;
import java.util.List;

/**
 * The result for one text: its [CLS] embedding h_0 (as the encoder produced it, not normalised; for a
 * text read in several windows, the mean of their h_0), the classification of each of the bundle's heads in its
 * order (none for an embedding-only bundle), and its tokenisation facts: tokens the encoder ran over (every window's),
 * whether text was left unread, and how many windows were read.
 */
public record Prediction(float[] embedding, List<Classification> heads, int tokens, boolean truncated,
                         int windows) {

    public Prediction {
        heads = List.copyOf(heads);
    }

    static Prediction of(TokenizedText input, float[] embedding, List<Classification> heads) {
        return new Prediction(embedding, heads, input.length(), input.truncated(), input.windowCount());
    }

    /** The primary (first) head's classification; {@code null} for an embedding-only bundle. */
    public Classification classification() {
        return heads.isEmpty() ? null : heads.get(0);
    }
}
