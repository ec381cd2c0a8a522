package dev.clstream.inference;

import java.util.List;

/**
 * What {@link InferenceEngine#predictIsolating} gives for a window of texts: an outcome per text,
 * in the order given, the token grid the encoder ran over for them ({@link RunPlan#paddedTokens} of
 * every plan it ran: a window that fails and is split to find the text at fault counts each try),
 * and how many times a failed run was retried.
 */
public record Predictions(List<Outcome> outcomes, long paddedTokens, int retries) {}
