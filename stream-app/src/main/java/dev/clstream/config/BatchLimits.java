package dev.clstream.config;

/** When a micro-batch goes to the encoder: at {@code maxSize} events, {@code maxTokens} tokens, or {@code maxWaitMs}. */
public record BatchLimits(int maxSize, int maxTokens, long maxWaitMs) {
    public BatchLimits {
        if (maxSize < 1 || maxTokens < 1 || maxWaitMs < 1) {
            throw new IllegalArgumentException("batch limits must be >= 1: size " + maxSize + ", tokens " + maxTokens
                    + ", wait " + maxWaitMs + " ms");
        }
    }
}
