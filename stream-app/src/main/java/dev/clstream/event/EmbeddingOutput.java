package dev.clstream.event;

/**
 * A [CLS] embedding event as written to the embeddings topic (see schemas/ClsEmbedding.avsc): the text's h_0, or
 * for a bundle that reads long texts in chunks the {@code pooling} of its {@code windows}' h_0 (null: one window).
 */
public record EmbeddingOutput(String id, String modelName, String modelVersion, float[] vector, Long eventTime,
                              int windows, String pooling) {}
