package dev.clstream.inference;

import dev.clstream.tokenize.TokenizedText;

/**
 * The result for one text: its [CLS] embedding h_0 (as the encoder produced it, not normalised; for a
 * text read in several windows, the mean of their h_0), its classification ({@code null} for an
 * embedding-only bundle), and its tokenisation facts: tokens the encoder ran over (every window's),
 * whether text was left unread, and how many windows were read.
 */
public record Prediction(float[] embedding, Classification classification, int tokens, boolean truncated,
                         int windows) {

    static Prediction of(TokenizedText input, float[] embedding, Classification classification) {
        return new Prediction(embedding, classification, input.length(), input.truncated(), input.windowCount());
    }
}
