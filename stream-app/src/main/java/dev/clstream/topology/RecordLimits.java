package dev.clstream.topology;

import dev.clstream.event.SourceRecord;
import java.util.List;
import org.apache.kafka.common.header.Header;

/**
 * The largest record the app may write: the producer's {@code max.request.size} (lowered at start-up
 * to the smallest {@code max.message.bytes} of the app's topics). Records are sized against it
 * before they are sent, because under exactly-once a record the producer refuses aborts the whole
 * transaction and the same input would fail again after every restart.
 */
final class RecordLimits {
    /** The store entry's key: a long. */
    private static final byte[] STORE_KEY = new byte[Long.BYTES];

    private final int maxRecordBytes;

    RecordLimits(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    int maxRecordBytes() {
        return maxRecordBytes;
    }

    int size(byte[] key, byte[] value, Iterable<Header> headers) {
        return RecordSize.upperBound(key, value, headers);
    }

    boolean fits(byte[] key, byte[] value, Iterable<Header> headers) {
        return size(key, value, headers) <= maxRecordBytes;
    }

    /** Why the record cannot wait in the micro-batcher's store (its changelog record is too large); null when it can. */
    String storeEntryTooLarge(SourceRecord src) {
        int entry = RecordSize.upperBound(STORE_KEY, new byte[PendingEventCodec.encodedSize(src)], List.of());
        return entry <= maxRecordBytes ? null : "the record (" + src.value().length + " bytes of value, "
                + (src.key() == null ? 0 : src.key().length) + " of key, " + src.headers().size() + " headers) is too "
                + "large to wait in the micro-batch store: its changelog record would be " + entry + " bytes, over "
                + "max.request.size = " + maxRecordBytes;
    }
}
