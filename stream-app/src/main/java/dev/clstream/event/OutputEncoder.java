package dev.clstream.event;

/** Turns output records into the bytes written to their topics (Avro with Schema Registry, or JSON). */
public interface OutputEncoder {
    byte[] labeled(String topic, LabelOutput out);

    byte[] embedding(String topic, EmbeddingOutput out);

    byte[] deadLetter(String topic, DeadLetterOutput out);

    /**
     * Reads back the facts the label statistics need from what {@link #labeled} wrote: the statistics
     * are computed from the labels topic, so that Kafka Streams can repartition them by label.
     *
     * @throws DecodeException if the value is not a labeled event (the record's fault); any other
     *         {@link org.apache.kafka.common.errors.SerializationException} is not the record's fault
     */
    LabelFact readLabeled(String topic, byte[] value);
}
