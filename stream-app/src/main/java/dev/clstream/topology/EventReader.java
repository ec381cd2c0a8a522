package dev.clstream.topology;

import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.DecodeException;
import dev.clstream.event.InputDecoder;
import dev.clstream.event.InputEvent;
import dev.clstream.event.SourceRecord;
import java.nio.charset.StandardCharsets;

/**
 * Reads an input record into an event, or says why it is refused: decoded by the input format,
 * then validated (a text, not empty, within {@code text.max.bytes}), with an id (its own, or else
 * the record's key, or else its place in the topic). The same reading serves a new record and one
 * restored from the micro-batcher's store.
 */
final class EventReader {
    /** An event, or the reason and message of a refusal. */
    record Read(InputEvent event, DeadLetterReason refused, String message) {
        static Read refused(DeadLetterReason reason, String message) {
            return new Read(null, reason, message);
        }
    }

    private final InputDecoder decoder;
    private final int textMaxBytes;

    EventReader(InputDecoder decoder, int textMaxBytes) {
        this.decoder = decoder;
        this.textMaxBytes = textMaxBytes;
    }

    /**
     * @throws org.apache.kafka.common.errors.SerializationException when the fault is not the record's
     *         (the registry is unreachable, say): the caller must retry, never dead-letter
     */
    Read read(SourceRecord src) {
        if (src.value() == null) {
            return Read.refused(DeadLetterReason.NULL_VALUE, "the record value is null");
        }
        InputEvent event;
        try {
            event = decoder.decode(src.topic(), src.key(), src.value());
        } catch (DecodeException e) {
            return Read.refused(e.reason(), e.getMessage());
        }
        String text = event.text();
        if (text == null) {
            return Read.refused(DeadLetterReason.MISSING_TEXT, "the event has no text");
        }
        if (text.isEmpty()) {
            return Read.refused(DeadLetterReason.EMPTY_TEXT, "the event's text is empty");
        }
        int bytes = utf8Length(text);
        if (bytes > textMaxBytes) {
            return Read.refused(DeadLetterReason.TEXT_TOO_LARGE, "the text has " + bytes
                    + " UTF-8 bytes, more than text.max.bytes = " + textMaxBytes);
        }
        String id = event.id() == null || event.id().isEmpty() ? fallbackId(src) : event.id();
        return new Read(new InputEvent(id, text, event.eventTime(), event.attributes()), null, null);
    }

    /** Events without an id are known by their key, or else by where they sit in the input topic. */
    private static String fallbackId(SourceRecord src) {
        if (src.key() != null && src.key().length > 0) {
            return new String(src.key(), StandardCharsets.UTF_8);
        }
        return src.position();
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
