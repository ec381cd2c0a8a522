package dev.clstream.topology;

import org.apache.kafka.common.header.Header;

/**
 * The most bytes one record takes on the wire, computed as Kafka's producer bounds it before it
 * sends (magic v2: a batch of one record, with the widest varints): the producer refuses a record
 * above {@code max.request.size} with this very bound, and under exactly-once such a refusal aborts
 * the whole transaction, so every record the app writes is sized with it first.
 */
public final class RecordSize {
    /** A record batch's header (magic v2). */
    static final int BATCH_OVERHEAD = 61;
    /** A record's own fields at their widest: length, attributes, timestamp and offset deltas. */
    static final int RECORD_OVERHEAD = 21;

    private RecordSize() {}

    public static int upperBound(byte[] key, byte[] value, Iterable<Header> headers) {
        long size = BATCH_OVERHEAD + RECORD_OVERHEAD + field(key) + field(value);
        int count = 0;
        for (Header h : headers) {
            size += field(h.key()) + field(h.value());
            count++;
        }
        return saturate(size + varint(count));
    }

    private static long field(String s) {
        return field(s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static long field(byte[] b) {
        return b == null ? varint(-1) : varint(b.length) + (long) b.length;
    }

    /** Bytes of a zig-zag varint. */
    static int varint(int value) {
        int v = (value << 1) ^ (value >> 31);
        int bytes = 1;
        while ((v & 0xffffff80) != 0L) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    private static int saturate(long size) {
        return (int) Math.min(Integer.MAX_VALUE, size);
    }
}
