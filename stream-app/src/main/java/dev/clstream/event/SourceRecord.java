package dev.clstream.event;

import java.util.List;

/**
 * Where an input record came from and its original bytes, kept with the event until its outputs
 * are written, so that any failure can dead-letter it exactly as it arrived.
 */
public record SourceRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                           List<Header> headers) {

    /** A Kafka record header; the value may be null. */
    public record Header(String key, byte[] value) {}

    public SourceRecord {
        headers = List.copyOf(headers);
    }

    /** "topic-partition@offset": the record's place, as event ids and dead letters name it. */
    public String position() {
        return topic + "-" + partition + "@" + offset;
    }
}
