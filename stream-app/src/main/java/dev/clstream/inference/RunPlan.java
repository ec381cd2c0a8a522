package dev.clstream.inference;

import java.util.List;

/**
 * The encoder runs for one window of texts, in the order they start ({@link RunPlanner#plan}):
 * each run is the indices of its texts, and {@code paddedTokens} the token grid all runs compute
 * together (rows times the longest row, summed), which against the real token count gives the
 * share of the encoder's work spent on padding.
 */
public record RunPlan(List<int[]> runs, long paddedTokens) {}
