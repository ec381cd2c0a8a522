package dev.clstream.event;

/** What the label statistics take from one labeled event: its top label, that label's score, its event time. */
public record LabelFact(String label, double score, Long eventTime) {}
