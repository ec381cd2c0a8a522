package dev.clstream.format;

import dev.clstream.event.InputEvent;

/** Writes text events the way an {@link InputFormat} reads them: what {@code produce} and {@code demo} send. */
@FunctionalInterface
public interface TextEventEncoder {
    byte[] encode(String topic, InputEvent event);
}
