package dev.clstream.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clstream.event.SourceRecord;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the batcher's store holds must come back intact after a restore, nulls and large values included. */
class PendingEventCodecTest {
    private final PendingEventCodec codec = new PendingEventCodec();

    private StoredEvent roundTrip(StoredEvent e) {
        return codec.deserializer().deserialize("t", codec.serializer().serialize("t", e));
    }

    @Test
    void everyFieldSurvives() {
        SourceRecord src = new SourceRecord("in", 3, 12345L, 999L, new byte[] {1, 2},
                ("héllo wörld 🎉 " + "x".repeat(200_000)).getBytes(StandardCharsets.UTF_8),
                List.of(new SourceRecord.Header("h1", new byte[] {7}), new SourceRecord.Header("h2", null)));
        StoredEvent back = roundTrip(new StoredEvent(src, 1_700_000_000_000L));
        assertEquals("in", back.source().topic());
        assertEquals(3, back.source().partition());
        assertEquals(12345L, back.source().offset());
        assertEquals(999L, back.source().timestamp());
        assertArrayEquals(new byte[] {1, 2}, back.source().key());
        assertArrayEquals(src.value(), back.source().value());
        assertEquals("h1", back.source().headers().get(0).key());
        assertArrayEquals(new byte[] {7}, back.source().headers().get(0).value());
        assertNull(back.source().headers().get(1).value());
        assertEquals(1_700_000_000_000L, back.arrivalMs());
    }

    @Test
    void theEncodedSizeIsKnownWithoutEncoding() {
        SourceRecord src = new SourceRecord("in-é", 3, 1, 2, new byte[5], new byte[70_000],
                List.of(new SourceRecord.Header("h", new byte[3]), new SourceRecord.Header("nul", null)));
        assertEquals(PendingEventCodec.encode(new StoredEvent(src, 7)).length, PendingEventCodec.encodedSize(src));
    }

    @Test
    void theValueIsStoredOnceNotWithItsTextAgain() {
        byte[] value = "x".repeat(600_000).getBytes(StandardCharsets.UTF_8);
        byte[] stored = PendingEventCodec.encode(new StoredEvent(new SourceRecord("in", 0, 0, 0, null, value, List.of()), 1));
        assertEquals(value.length + 48, stored.length, 16);
    }

    @Test
    void nullsSurvive() {
        StoredEvent back = roundTrip(new StoredEvent(new SourceRecord("in", 0, 0, 0, null, null, List.of()), 5));
        assertNull(back.source().key());
        assertNull(back.source().value());
    }

    /** What an older clstream (format version 1, with the decoded event) left pending is still restored. */
    @Test
    void versionOneEntriesAreRead() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.writeByte(1);
        bytes(out, "in".getBytes(StandardCharsets.UTF_8));
        out.writeInt(2);
        out.writeLong(44);
        out.writeLong(55);
        bytes(out, "k".getBytes(StandardCharsets.UTF_8));
        bytes(out, "{\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
        out.writeInt(0);
        bytes(out, "id-1".getBytes(StandardCharsets.UTF_8));
        bytes(out, "hi".getBytes(StandardCharsets.UTF_8));
        out.writeBoolean(true);
        out.writeLong(42);
        out.writeInt(1);
        bytes(out, "lang".getBytes(StandardCharsets.UTF_8));
        bytes(out, "en".getBytes(StandardCharsets.UTF_8));
        out.writeLong(77);
        StoredEvent back = PendingEventCodec.decode(buf.toByteArray());
        assertEquals(44, back.source().offset());
        assertEquals("{\"text\":\"hi\"}", new String(back.source().value(), StandardCharsets.UTF_8));
        assertEquals(77, back.arrivalMs());
    }

    @Test
    void unknownFormatVersionIsRefused() {
        byte[] bytes = codec.serializer().serialize("t", new StoredEvent(new SourceRecord("in", 0, 0, 0, null, null,
                List.of()), 5));
        bytes[0] = 9;
        assertThrows(IllegalStateException.class, () -> codec.deserializer().deserialize("t", bytes));
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }
}
