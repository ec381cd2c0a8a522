package dev.clstream.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.topology.InputDecoder;
import dev.clstream.topology.InputEvent;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code input.format=json}: a JSON object with {@code text}, and optionally {@code id},
 * {@code event_time} (epoch milliseconds or ISO-8601) and {@code attributes} (an object of strings).
 */
public final class JsonInputDecoder implements InputDecoder {
    private final ObjectMapper json = new ObjectMapper();

    @Override
    public InputEvent decode(String topic, byte[] key, byte[] value) {
        JsonNode root;
        try {
            root = json.readTree(value);
        } catch (IOException e) {
            throw new DecodeException("invalid_json", "the value is not valid JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new DecodeException("invalid_json", "the value is JSON but not an object");
        }
        JsonNode text = root.get("text");
        if (text != null && !text.isNull() && !text.isTextual()) {
            throw new DecodeException("invalid_json", "field 'text' must be a string, got " + text.getNodeType());
        }
        return new InputEvent(id(root.get("id")), text == null || text.isNull() ? null : text.asText(),
                eventTime(root.get("event_time")), attributes(root.get("attributes")));
    }

    private static String id(JsonNode id) {
        if (id == null || id.isNull()) {
            return null;
        }
        if (!id.isValueNode()) {
            throw new DecodeException("invalid_json", "field 'id' must be a string or a number");
        }
        return id.asText();
    }

    private static Long eventTime(JsonNode t) {
        if (t == null || t.isNull()) {
            return null;
        }
        if (t.isIntegralNumber()) {
            return t.asLong();
        }
        if (t.isTextual()) {
            try {
                return Instant.parse(t.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new DecodeException("invalid_json", "field 'event_time' is not ISO-8601: '" + t.asText() + "'");
            }
        }
        throw new DecodeException("invalid_json", "field 'event_time' must be epoch milliseconds or ISO-8601");
    }

    private static Map<String, String> attributes(JsonNode a) {
        if (a == null || a.isNull()) {
            return Map.of();
        }
        if (!a.isObject()) {
            throw new DecodeException("invalid_json", "field 'attributes' must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        a.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText()
                : e.getValue().toString()));
        return out;
    }
}
