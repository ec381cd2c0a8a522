package dev.clstream.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clstream.event.InputEvent;
import dev.clstream.event.SourceRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the batcher's store holds must come back intact after a restore, nulls and large texts included. */
class PendingEventCodecTest {
    private final PendingEventCodec codec = new PendingEventCodec();

    private PendingEvent roundTrip(PendingEvent e) {
        return codec.deserializer().deserialize("t", codec.serializer().serialize("t", e));
    }

    @Test
    void everyFieldSurvives() {
        SourceRecord src = new SourceRecord("in", 3, 12345L, 999L, new byte[] {1, 2}, new byte[] {0, 9, 8},
                List.of(new SourceRecord.Header("h1", new byte[] {7}), new SourceRecord.Header("h2", null)));
        PendingEvent e = new PendingEvent(src, new InputEvent("id-1", "héllo wörld 🎉 " + "x".repeat(200_000), 42L,
                Map.of("lang", "en", "source", "web")), 1_700_000_000_000L);
        PendingEvent back = roundTrip(e);
        assertEquals("in", back.source().topic());
        assertEquals(3, back.source().partition());
        assertEquals(12345L, back.source().offset());
        assertEquals(999L, back.source().timestamp());
        assertArrayEquals(new byte[] {1, 2}, back.source().key());
        assertArrayEquals(new byte[] {0, 9, 8}, back.source().value());
        assertEquals("h1", back.source().headers().get(0).key());
        assertArrayEquals(new byte[] {7}, back.source().headers().get(0).value());
        assertNull(back.source().headers().get(1).value());
        assertEquals(e.event(), back.event());
        assertEquals(1_700_000_000_000L, back.arrivalMs());
    }

    @Test
    void nullsSurvive() {
        SourceRecord src = new SourceRecord("in", 0, 0, 0, null, null, List.of());
        PendingEvent back = roundTrip(new PendingEvent(src, new InputEvent("i", "t", null, null), 5));
        assertNull(back.source().key());
        assertNull(back.source().value());
        assertNull(back.event().eventTime());
        assertEquals(Map.of(), back.event().attributes());
    }

    @Test
    void unknownFormatVersionIsRefused() {
        byte[] bytes = codec.serializer().serialize("t", new PendingEvent(new SourceRecord("in", 0, 0, 0, null, null,
                List.of()), new InputEvent("i", "t", null, null), 5));
        bytes[0] = 9;
        assertThrows(IllegalStateException.class, () -> codec.deserializer().deserialize("t", bytes));
    }
}
