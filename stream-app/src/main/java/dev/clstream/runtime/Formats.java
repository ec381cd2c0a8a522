package dev.clstream.runtime;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.serde.AvroInputDecoder;
import dev.clstream.serde.AvroOutputEncoder;
import dev.clstream.serde.JsonInputDecoder;
import dev.clstream.serde.JsonOutputEncoder;
import dev.clstream.serde.SchemaRegistryClients;
import dev.clstream.serde.TextInputDecoder;
import dev.clstream.topology.InputDecoder;
import dev.clstream.topology.OutputEncoder;

/** The input decoder and output encoder that {@code input.format} and {@code output.format} select. */
public final class Formats {
    private Formats() {}

    public static InputDecoder decoder(ClstreamConfig config) {
        return switch (config.inputFormat()) {
            case "avro" -> new AvroInputDecoder(SchemaRegistryClients.create(config.serdeConfig()));
            case "json" -> new JsonInputDecoder();
            case "text" -> new TextInputDecoder();
            default -> throw new IllegalStateException("input.format " + config.inputFormat());
        };
    }

    public static OutputEncoder encoder(ClstreamConfig config) {
        return switch (config.outputFormat()) {
            case "avro" -> new AvroOutputEncoder(SchemaRegistryClients.create(config.serdeConfig()),
                    (Boolean) config.serdeConfig().getOrDefault(ClstreamConfig.AUTO_REGISTER_SCHEMAS, true));
            case "json" -> new JsonOutputEncoder();
            default -> throw new IllegalStateException("output.format " + config.outputFormat());
        };
    }
}
