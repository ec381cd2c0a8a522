package dev.clstream.event;

import java.util.List;

/** A labeled event as written to the labels topic (see schemas/LabeledEvent.avsc). */
public record LabelOutput(String id, String label, float score, List<String> labels, float[] probabilities,
                          String modelName, String modelVersion, int tokens, boolean truncated, Long eventTime,
                          long processedTime) {}
