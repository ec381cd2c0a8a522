package dev.clstream.inference;

import dev.clstream.tokenize.TokenizedText;

/**
 * The result for one text: its [CLS] embedding h_0 (as the encoder produced it, not normalised),
 * its classification ({@code null} for an embedding-only bundle), and its tokenisation facts.
 */
public record Prediction(float[] embedding, Classification classification, int tokens, boolean truncated) {

    static Prediction of(TokenizedText input, float[] embedding, Classification classification) {
        return new Prediction(embedding, classification, input.length(), input.truncated());
    }
}
