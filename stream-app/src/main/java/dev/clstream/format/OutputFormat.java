package dev.clstream.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.event.OutputEncoder;
import dev.clstream.serde.AvroDeserializer;
import dev.clstream.serde.SchemaRegistryClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.generic.GenericData;

/** {@code output.format}: how labels, embeddings and dead letters are written, and the adapters that write and read them. */
public enum OutputFormat {
    /** The schemas/ records in the Confluent wire format, registered under {@code <topic>-value}. */
    AVRO("avro"),
    /** The same fields as JSON, snake_case. */
    JSON("json");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final String code;

    OutputFormat(String code) {
        this.code = code;
    }

    /** The name in {@code output.format}. */
    public String code() {
        return code;
    }

    public boolean needsRegistry() {
        return this == AVRO;
    }

    /** The app's output encoder; {@code registry} may be null unless {@link #needsRegistry()}. */
    public OutputEncoder encoder(SchemaRegistryClient registry, boolean autoRegister) {
        return switch (this) {
            case AVRO -> new AvroOutputEncoder(InputFormat.requireRegistry(registry), autoRegister);
            case JSON -> new JsonOutputEncoder();
        };
    }

    /** A reader of output records as JSON trees; {@code registry} may be null unless {@link #needsRegistry()}. */
    public OutputJsonReader reader(SchemaRegistryClient registry) {
        return switch (this) {
            case AVRO -> {
                AvroDeserializer<Object> avro = new AvroDeserializer<>(InputFormat.requireRegistry(registry));
                yield (topic, value) -> tree(GenericData.get().toString(avro.deserialize(topic, value)), topic);
            }
            case JSON -> (topic, value) -> tree(value, topic);
        };
    }

    public static OutputFormat of(String code) {
        return Arrays.stream(values()).filter(f -> f.code.equals(code)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("output format '" + code + "' is not one of " + codes()));
    }

    public static List<String> codes() {
        return Arrays.stream(values()).map(OutputFormat::code).toList();
    }

    private static JsonNode tree(Object json, String topic) {
        try {
            return json instanceof byte[] b ? MAPPER.readTree(b) : MAPPER.readTree((String) json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a record of " + topic + " as JSON", e);
        }
    }
}
