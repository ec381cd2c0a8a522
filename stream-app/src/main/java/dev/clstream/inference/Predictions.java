package dev.clstream.inference;

import java.util.List;

/**
 * What {@link InferenceEngine#predictIsolating} gives for a window of texts: an outcome per text,
 * in the order given, the token grid the encoder ran over for them ({@link RunPlan#paddedTokens} of
 * every plan it ran: a window that fails and is split to find the text at fault counts each try),
 * how many times a failed run was retried, and the real tokens of the texts the encoder was given
 * (each once; texts answered by the {@link PredictionCache} are not among them), which is what the
 * encoder's time went on.
 */
public record Predictions(List<Outcome> outcomes, long paddedTokens, int retries, long encodedTokens) {}
