package dev.clstream.event;

import java.util.Map;

/** A decoded input event: what users produce, whatever the wire format. */
public record InputEvent(String id, String text, Long eventTime, Map<String, String> attributes) {
    public InputEvent {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
