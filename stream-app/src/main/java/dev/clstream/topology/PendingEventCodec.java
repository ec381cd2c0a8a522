package dev.clstream.topology;

import dev.clstream.event.InputEvent;
import dev.clstream.event.SourceRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The binary form of a {@link PendingEvent} in the batcher's changelogged store. Versioned so a
 * newer clstream can still restore what an older one left pending.
 */
public final class PendingEventCodec implements Serde<PendingEvent> {
    private static final byte VERSION = 1;

    @Override
    public Serializer<PendingEvent> serializer() {
        return (topic, e) -> e == null ? null : encode(e);
    }

    @Override
    public Deserializer<PendingEvent> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }

    static byte[] encode(PendingEvent e) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(256 + e.event().text().length());
            DataOutputStream out = new DataOutputStream(buf);
            out.writeByte(VERSION);
            SourceRecord s = e.source();
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
            InputEvent in = e.event();
            writeString(out, in.id());
            writeString(out, in.text());
            out.writeBoolean(in.eventTime() != null);
            out.writeLong(in.eventTime() == null ? 0 : in.eventTime());
            out.writeInt(in.attributes().size());
            for (Map.Entry<String, String> a : in.attributes().entrySet()) {
                writeString(out, a.getKey());
                writeString(out, a.getValue());
            }
            out.writeLong(e.arrivalMs());
            return buf.toByteArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static PendingEvent decode(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte version = in.readByte();
            if (version != VERSION) {
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
            String id = readString(in);
            String text = readString(in);
            boolean hasTime = in.readBoolean();
            long time = in.readLong();
            int nAttributes = in.readInt();
            Map<String, String> attributes = new LinkedHashMap<>();
            for (int i = 0; i < nAttributes; i++) {
                attributes.put(readString(in), readString(in));
            }
            long arrival = in.readLong();
            return new PendingEvent(new SourceRecord(topic, partition, offset, timestamp, key, value, headers),
                    new InputEvent(id, text, hasTime ? time : null, attributes), arrival);
        } catch (IOException ex) {
            throw new UncheckedIOException("corrupt pending event in the batch store", ex);
        }
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
