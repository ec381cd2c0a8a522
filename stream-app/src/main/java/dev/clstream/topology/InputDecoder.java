package dev.clstream.topology;

/**
 * Turns an input record's value into an event. Implementations throw
 * {@link dev.clstream.serde.DecodeException} with a stable reason code when the bytes cannot be
 * read, so the record can be dead-lettered with that reason.
 */
@FunctionalInterface
public interface InputDecoder {
    InputEvent decode(String topic, byte[] key, byte[] value);
}
