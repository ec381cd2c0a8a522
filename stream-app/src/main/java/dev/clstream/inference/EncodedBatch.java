package dev.clstream.inference;

/**
 * What one encoder run gives back: the [CLS] row h_0 of each text, and the graph's own logits when
 * the bundle takes them from the graph ({@code null} otherwise). Rows are in the order of the batch.
 */
public record EncodedBatch(float[][] clsEmbeddings, float[][] graphLogits) {}
