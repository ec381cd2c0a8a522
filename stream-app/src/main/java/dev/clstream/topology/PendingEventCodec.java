package dev.clstream.topology;

import dev.clstream.event.SourceRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The binary form of a {@link StoredEvent} in the batcher's changelogged store. Versioned so a
 * newer clstream can still restore what an older one left pending: version 1 also held the decoded
 * event (text, id, time, attributes), which is read past now, since the event is read again from
 * the source record.
 */
public final class PendingEventCodec implements Serde<StoredEvent> {
    private static final byte VERSION = 2;
    private static final byte VERSION_WITH_EVENT = 1;

    @Override
    public Serializer<StoredEvent> serializer() {
        return (topic, e) -> e == null ? null : encode(e);
    }

    @Override
    public Deserializer<StoredEvent> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }

    /** The length of {@link #encode}'s bytes, without making them: what the changelog record will weigh. */
    static int encodedSize(SourceRecord s) {
        long n = 1 + string(s.topic()) + 4 + 8 + 8 + bytes(s.key()) + bytes(s.value()) + 4 + 8;
        for (SourceRecord.Header h : s.headers()) {
            n += string(h.key()) + bytes(h.value());
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    static byte[] encode(StoredEvent e) {
        SourceRecord s = e.source();
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(encodedSize(s));
            DataOutputStream out = new DataOutputStream(buf);
            out.writeByte(VERSION);
            writeString(out, s.topic());
            out.writeInt(s.partition());
            out.writeLong(s.offset());
            out.writeLong(s.timestamp());
            writeBytes(out, s.key());
            writeBytes(out, s.value());
            out.writeInt(s.headers().size());
            for (SourceRecord.Header h : s.headers()) {
                writeString(out, h.key());
                writeBytes(out, h.value());
            }
            out.writeLong(e.arrivalMs());
            return buf.toByteArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static StoredEvent decode(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte version = in.readByte();
            if (version != VERSION && version != VERSION_WITH_EVENT) {
                throw new IllegalStateException("pending event format version " + version + " is not supported");
            }
            String topic = readString(in);
            int partition = in.readInt();
            long offset = in.readLong();
            long timestamp = in.readLong();
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            int nHeaders = in.readInt();
            List<SourceRecord.Header> headers = new ArrayList<>(nHeaders);
            for (int i = 0; i < nHeaders; i++) {
                headers.add(new SourceRecord.Header(readString(in), readBytes(in)));
            }
            if (version == VERSION_WITH_EVENT) {
                skipEvent(in);
            }
            long arrival = in.readLong();
            return new StoredEvent(new SourceRecord(topic, partition, offset, timestamp, key, value, headers), arrival);
        } catch (IOException ex) {
            throw new UncheckedIOException("corrupt pending event in the batch store", ex);
        }
    }

    /** Version 1's decoded event: id, text, event time, attributes. */
    private static void skipEvent(DataInputStream in) throws IOException {
        readBytes(in);
        readBytes(in);
        in.readBoolean();
        in.readLong();
        int nAttributes = in.readInt();
        for (int i = 0; i < 2 * nAttributes; i++) {
            readBytes(in);
        }
    }

    private static long string(String s) {
        return bytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static long bytes(byte[] b) {
        return 4L + (b == null ? 0 : b.length);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = readBytes(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
