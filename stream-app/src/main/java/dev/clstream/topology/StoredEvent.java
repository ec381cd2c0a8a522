package dev.clstream.topology;

import dev.clstream.event.SourceRecord;

/**
 * What the micro-batcher's changelogged store keeps of a waiting event: its source record, as it
 * arrived, once, and when it arrived. The decoded event is not stored again: after a restore it is
 * read from the source record as it was the first time ({@link EventReader}), so an entry costs
 * the input record's size, not twice that.
 */
public record StoredEvent(SourceRecord source, long arrivalMs) {}
