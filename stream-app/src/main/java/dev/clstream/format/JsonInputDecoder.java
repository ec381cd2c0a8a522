package dev.clstream.format;

import dev.clstream.event.InputDecoder;
import dev.clstream.event.InputEvent;

/** {@code input.format=json}: a JSON text event as {@link JsonTextEvents} reads it. */
public final class JsonInputDecoder implements InputDecoder {
    @Override
    public InputEvent decode(String topic, byte[] key, byte[] value) {
        return JsonTextEvents.parse(value);
    }
}
