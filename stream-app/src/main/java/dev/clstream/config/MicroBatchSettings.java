package dev.clstream.config;

/**
 * When a micro-batch of events goes to the encoder: once it holds {@code maxEvents} events, or
 * {@code maxTokens} real tokens (special tokens counted, padding not: the engine's own limit per
 * encoder run counts padded tokens), or once its oldest event has waited {@code maxWaitMs}.
 */
public record MicroBatchSettings(int maxEvents, int maxTokens, long maxWaitMs) {
    public MicroBatchSettings {
        if (maxEvents < 1 || maxTokens < 1 || maxWaitMs < 1) {
            throw new IllegalArgumentException("micro-batch limits must be >= 1: events " + maxEvents + ", tokens "
                    + maxTokens + ", wait " + maxWaitMs + " ms");
        }
    }
}
