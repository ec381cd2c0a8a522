package dev.clstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.avro.TextEvent;
import dev.clstream.avro.TrustedClasses;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.serde.SchemaRegistryClients;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/** Encodes text events the way the configured {@code input.format} expects them (for produce and demo). */
final class EventWriter {
    private final String format;
    private final AvroSerializer<TextEvent> avro;
    private final ObjectMapper json = new ObjectMapper();

    EventWriter(ClstreamConfig config) {
        this.format = config.inputFormat();
        if (format.equals("avro")) {
            TrustedClasses.install();
            avro = new AvroSerializer<>(SchemaRegistryClients.create(config.serdeConfig()), false,
                    (Boolean) config.serdeConfig().getOrDefault(ClstreamConfig.AUTO_REGISTER_SCHEMAS, true));
        } else {
            avro = null;
        }
    }

    byte[] encode(String topic, String id, String text, Long eventTime, Map<String, String> attributes) {
        switch (format) {
            case "avro":
                return avro.serialize(topic, TextEvent.newBuilder().setId(id).setText(text)
                        .setEventTime(eventTime == null ? null : Instant.ofEpochMilli(eventTime))
                        .setAttributes(attributes).build());
            case "json":
                ObjectNode n = json.createObjectNode().put("id", id).put("text", text);
                if (eventTime != null) {
                    n.put("event_time", eventTime);
                }
                attributes.forEach(n.putObject("attributes")::put);
                return n.toString().getBytes(StandardCharsets.UTF_8);
            default:
                return text.getBytes(StandardCharsets.UTF_8);
        }
    }
}
