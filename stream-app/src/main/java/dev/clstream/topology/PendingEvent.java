package dev.clstream.topology;

import dev.clstream.event.InputEvent;
import dev.clstream.event.SourceRecord;

/**
 * An event waiting in a micro-batch: the decoded event, its source record, and when it arrived
 * (wall clock, for the batch's max-wait trigger).
 */
public record PendingEvent(SourceRecord source, InputEvent event, long arrivalMs) {

    /** The event's time: its {@code event_time}, or its input record's timestamp when it has none. */
    public long time() {
        return event.eventTime() != null ? event.eventTime() : source.timestamp();
    }
}
