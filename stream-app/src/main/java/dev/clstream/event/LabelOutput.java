package dev.clstream.event;

import java.util.List;

/**
 * A labeled event as written to the labels topic (see schemas/LabeledEvent.avsc): the primary head's result, which
 * is the record's own label, score and probabilities, and, for a bundle with named heads, every head's result in the
 * bundle's order (the primary's first); empty for a bundle with one unnamed head, so its records stay as they were.
 */
public record LabelOutput(String id, HeadLabel primary, List<HeadLabel> heads, String modelName, String modelVersion,
                          int tokens, boolean truncated, Long eventTime, long processedTime) {

    public LabelOutput {
        heads = List.copyOf(heads);
        if (!heads.isEmpty() && heads.get(0) != primary) {
            throw new IllegalArgumentException("the primary head's result must be the first of heads");
        }
    }
}
