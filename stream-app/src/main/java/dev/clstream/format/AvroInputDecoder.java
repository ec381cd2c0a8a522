package dev.clstream.format;

import dev.clstream.avro.TextEvent;
import dev.clstream.event.InputDecoder;
import dev.clstream.event.InputEvent;
import dev.clstream.serde.AvroDeserializer;
import dev.clstream.serde.SchemaRegistryClient;

/**
 * {@code input.format=avro}: Confluent wire format, the writer schema fetched from the registry by
 * id and resolved to {@link TextEvent}, so producers on an older or newer compatible schema are
 * read the same way.
 */
public final class AvroInputDecoder implements InputDecoder {
    private final AvroDeserializer<TextEvent> deserializer;

    public AvroInputDecoder(SchemaRegistryClient registry) {
        this.deserializer = AvroDeserializer.specific(registry, TextEvent.class);
    }

    @Override
    public InputEvent decode(String topic, byte[] key, byte[] value) {
        TextEvent e = deserializer.deserialize(topic, value);
        return new InputEvent(e.getId(), e.getText(), e.getEventTime() == null ? null : e.getEventTime().toEpochMilli(),
                e.getAttributes());
    }
}
