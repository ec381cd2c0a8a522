package dev.clstream.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.DecodeException;
import dev.clstream.event.InputEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON text event, {@code {"id", "text", "event_time", "attributes"}}, read and written in one
 * place: the {@code input.format=json} decoder, {@code clstream produce} and {@code clstream
 * classify} all read it here, so they accept the same documents.
 *
 * <ul>
 *   <li>{@code text}: a string (absent or null: an event without text, which the caller refuses as
 *       {@link DeadLetterReason#MISSING_TEXT});</li>
 *   <li>{@code id}: a string or a number, optional;</li>
 *   <li>{@code event_time}: epoch milliseconds or ISO-8601 ({@code 2026-01-02T03:04:05Z}), optional;</li>
 *   <li>{@code attributes}: an object; string values are kept as they are, others as their JSON text.</li>
 * </ul>
 * Anything else is {@link DeadLetterReason#INVALID_JSON}, with a message naming the field.
 */
public final class JsonTextEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonTextEvents() {}

    public static InputEvent parse(String document) {
        return parse(document.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws DecodeException with {@link DeadLetterReason#INVALID_JSON} when the document is not a text event */
    public static InputEvent parse(byte[] document) {
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (IOException e) {
            throw invalid("the value is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw invalid("the value is JSON but not an object");
        }
        JsonNode text = root.get("text");
        if (text != null && !text.isNull() && !text.isTextual()) {
            throw invalid("field 'text' must be a string, got " + text.getNodeType());
        }
        return new InputEvent(id(root.get("id")), text == null || text.isNull() ? null : text.asText(),
                eventTime(root.get("event_time")), attributes(root.get("attributes")));
    }

    /** The event as a JSON document that {@link #parse} reads back to the same event. */
    public static byte[] write(InputEvent event) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", event.id());
        n.put("text", event.text());
        if (event.eventTime() != null) {
            n.put("event_time", event.eventTime());
        }
        if (!event.attributes().isEmpty()) {
            ObjectNode a = n.putObject("attributes");
            event.attributes().forEach(a::put);
        }
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String id(JsonNode id) {
        if (id == null || id.isNull()) {
            return null;
        }
        if (!id.isValueNode()) {
            throw invalid("field 'id' must be a string or a number");
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
                throw invalid("field 'event_time' is not ISO-8601: '" + t.asText() + "'");
            }
        }
        throw invalid("field 'event_time' must be epoch milliseconds or ISO-8601");
    }

    private static Map<String, String> attributes(JsonNode a) {
        if (a == null || a.isNull()) {
            return Map.of();
        }
        if (!a.isObject()) {
            throw invalid("field 'attributes' must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        a.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText()
                : e.getValue().toString()));
        return out;
    }

    private static DecodeException invalid(String message) {
        return new DecodeException(DeadLetterReason.INVALID_JSON, message);
    }
}
