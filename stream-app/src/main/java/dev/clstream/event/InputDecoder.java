package dev.clstream.event;

/**
 * Turns an input record's value into an event. Implementations throw
 * {@link DecodeException} with its {@link DeadLetterReason} when the bytes cannot be
 * read, so the record can be dead-lettered with that reason.
 */
@FunctionalInterface
public interface InputDecoder {
    InputEvent decode(String topic, byte[] key, byte[] value);
}
