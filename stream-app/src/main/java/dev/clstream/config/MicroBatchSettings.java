package dev.clstream.config;

/**
 * When a micro-batch of events goes to the encoder, and how long it may take there. It goes once it
 * holds {@code maxEvents} events, or {@code maxTokens} real tokens (special tokens counted, padding
 * not: the engine's own limit per encoder run counts padded tokens), or once its oldest event has
 * waited {@code maxWaitMs}, or once the records waiting hold {@code maxBytes} bytes. A flush takes only as many of the waiting events as the encoder's
 * measured cost lets finish within {@code maxInferenceMs}, since it runs inside the open
 * transaction; a flush still running after {@code hardLimitMs} fails its stream thread.
 */
public record MicroBatchSettings(int maxEvents, int maxTokens, long maxWaitMs, long maxInferenceMs, long hardLimitMs,
                                 long maxBytes) {
    public MicroBatchSettings {
        if (maxEvents < 1 || maxTokens < 1 || maxWaitMs < 1 || maxInferenceMs < 1 || hardLimitMs < maxInferenceMs
                || maxBytes < 1) {
            throw new IllegalArgumentException("micro-batch limits must be >= 1 and the hard limit at least the "
                    + "budget: events " + maxEvents + ", tokens " + maxTokens + ", wait " + maxWaitMs + " ms, budget "
                    + maxInferenceMs + " ms, hard limit " + hardLimitMs + " ms, bytes " + maxBytes);
        }
    }
}
