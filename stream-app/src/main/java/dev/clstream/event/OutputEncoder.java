package dev.clstream.event;

/** Turns output records into the bytes written to their topics (Avro with Schema Registry, or JSON). */
public interface OutputEncoder {
    byte[] labeled(String topic, LabelOutput out);

    byte[] embedding(String topic, EmbeddingOutput out);

    byte[] deadLetter(String topic, DeadLetterOutput out);
}
