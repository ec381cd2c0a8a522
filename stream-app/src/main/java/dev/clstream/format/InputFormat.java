package dev.clstream.format;

import dev.clstream.avro.TextEvent;
import dev.clstream.event.InputDecoder;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.serde.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** {@code input.format}: how the values of the input topic are written, and the adapters that read and write them. */
public enum InputFormat {
    /** {@code TextEvent} in the Confluent wire format, its writer schema from the registry. */
    AVRO("avro"),
    /** A JSON text event (see {@link JsonTextEvents}). */
    JSON("json"),
    /** The value is the text itself, UTF-8; the event id comes from the key. */
    TEXT("text");

    private final String code;

    InputFormat(String code) {
        this.code = code;
    }

    /** The name in {@code input.format}. */
    public String code() {
        return code;
    }

    public boolean needsRegistry() {
        return this == AVRO;
    }

    /** The decoder of the app's input; {@code registry} may be null unless {@link #needsRegistry()}. */
    public InputDecoder decoder(SchemaRegistryClient registry) {
        return switch (this) {
            case AVRO -> new AvroInputDecoder(requireRegistry(registry));
            case JSON -> new JsonInputDecoder();
            case TEXT -> new TextInputDecoder();
        };
    }

    /** The writer of input events (for producers); {@code registry} may be null unless {@link #needsRegistry()}. */
    public TextEventEncoder encoder(SchemaRegistryClient registry, boolean autoRegister) {
        return switch (this) {
            case AVRO -> {
                AvroSerializer<TextEvent> avro = new AvroSerializer<>(requireRegistry(registry), false, autoRegister);
                yield (topic, e) -> avro.serialize(topic, TextEvent.newBuilder().setId(e.id()).setText(e.text())
                        .setEventTime(e.eventTime() == null ? null : Instant.ofEpochMilli(e.eventTime()))
                        .setAttributes(e.attributes()).build());
            }
            case JSON -> (topic, e) -> JsonTextEvents.write(e);
            case TEXT -> (topic, e) -> e.text().getBytes(StandardCharsets.UTF_8);
        };
    }

    /** The format named {@code code}; an {@link IllegalArgumentException} lists the names otherwise. */
    public static InputFormat of(String code) {
        return Arrays.stream(values()).filter(f -> f.code.equals(code)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("input format '" + code + "' is not one of " + codes()));
    }

    public static List<String> codes() {
        return Arrays.stream(values()).map(InputFormat::code).toList();
    }

    static SchemaRegistryClient requireRegistry(SchemaRegistryClient registry) {
        return Objects.requireNonNull(registry, "the avro format needs a Schema Registry client");
    }
}
