package dev.clstream.event;

/** A [CLS] embedding event as written to the embeddings topic (see schemas/ClsEmbedding.avsc). */
public record EmbeddingOutput(String id, String modelName, String modelVersion, float[] vector, Long eventTime) {}
