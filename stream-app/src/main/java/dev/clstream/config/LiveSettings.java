package dev.clstream.config;

/** The live page: it lists the latest events whose top label scored below {@code lowConfidenceThreshold}. */
public record LiveSettings(double lowConfidenceThreshold) {}
