package dev.clstream.event;

import java.util.List;

/** One classifier head's result for a labeled event: its top label and score, every label's probability in id order. */
public record HeadLabel(String head, String label, float score, List<String> labels, float[] probabilities) {}
