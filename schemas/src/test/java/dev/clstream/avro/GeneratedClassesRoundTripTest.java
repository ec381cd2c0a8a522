package dev.clstream.avro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.avro.AvroMissingFieldException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated SpecificRecord classes survive both encodings unchanged: Avro single-object encoding
 * ({@code toByteBuffer}/{@code fromByteBuffer}) and plain binary (what a registry-aware Kafka serde writes after its
 * own header).
 */
class GeneratedClassesRoundTripTest {

    private static final Instant EVENT_TIME = Instant.ofEpochMilli(1_732_340_000_123L);
    private static final Instant PROCESSED_TIME = Instant.ofEpochMilli(1_732_340_000_456L);

    @BeforeAll
    static void trustGeneratedClasses() {
        TrustedClasses.install();
    }

    @Test
    void textEvent() throws IOException {
        TextEvent event = TextEvent.newBuilder()
                .setId("evt-1")
                .setText("WIN a FREE cruise, click now \u2014 caf\u00e9 \ud83d\udea2")
                .setEventTime(EVENT_TIME)
                .setAttributes(Map.of("source", "smtp", "lang", "en"))
                .build();

        assertEquals(event, TextEvent.fromByteBuffer(event.toByteBuffer()));
        TextEvent decoded = binaryRoundTrip(event);
        assertEquals(event, decoded);
        assertEquals(String.class, decoded.getId().getClass());
        assertEquals("smtp", decoded.getAttributes().get("source"));
    }

    @Test
    void textEventDefaultsAndRequiredFields() throws IOException {
        TextEvent minimal = TextEvent.newBuilder().setId("evt-2").setText("hello").build();
        assertNull(minimal.getEventTime());
        assertEquals(Map.of(), minimal.getAttributes());
        assertEquals(minimal, TextEvent.fromByteBuffer(minimal.toByteBuffer()));

        assertThrows(AvroMissingFieldException.class, () -> TextEvent.newBuilder().setId("evt-3").build());
    }

    @Test
    void labeledEventKeepsLabelOrder() throws IOException {
        // Not alphabetical, so a round trip through anything unordered would show.
        List<LabelProbability> probabilities = List.of(
                new LabelProbability("spam", 0.9f),
                new LabelProbability("ham", 0.07f),
                new LabelProbability("bulk", 0.03f));
        LabeledEvent event = LabeledEvent.newBuilder()
                .setId("evt-1")
                .setLabel("spam")
                .setScore(0.9f)
                .setProbabilities(probabilities)
                .setModelName("bge-small-en-v15-spam")
                .setModelVersion("1.0.0")
                .setTokens(11)
                .setTruncated(false)
                .setEventTime(EVENT_TIME)
                .setProcessedTime(PROCESSED_TIME)
                .build();

        LabeledEvent decoded = LabeledEvent.fromByteBuffer(event.toByteBuffer());
        assertEquals(event, decoded);
        assertEquals(List.of("spam", "ham", "bulk"),
                decoded.getProbabilities().stream().map(LabelProbability::getLabel).toList());
        assertEquals(event, binaryRoundTrip(event));

        LabeledEvent noEventTime = LabeledEvent.newBuilder(event).setEventTime(null).build();
        assertNull(binaryRoundTrip(noEventTime).getEventTime());
    }

    @Test
    void clsEmbeddingKeepsEveryFloatExactly() throws IOException {
        List<Float> vector = new ArrayList<>();
        for (int i = 0; i < 384; i++) {
            vector.add((float) Math.sin(i) * (i % 7 == 0 ? 1e-20f : 3.5f));
        }
        vector.set(1, -0.0f);
        vector.set(2, Float.MIN_VALUE);
        ClsEmbedding embedding = ClsEmbedding.newBuilder()
                .setId("evt-1")
                .setModelName("bge-small-en-v15-spam")
                .setModelVersion("1.0.0")
                .setDimension(vector.size())
                .setVector(vector)
                .setEventTime(EVENT_TIME)
                .build();

        ClsEmbedding decoded = ClsEmbedding.fromByteBuffer(embedding.toByteBuffer());
        assertEquals(embedding, decoded);
        assertEquals(384, decoded.getVector().size());
        for (int i = 0; i < vector.size(); i++) {
            assertEquals(Float.floatToRawIntBits(vector.get(i)), Float.floatToRawIntBits(decoded.getVector().get(i)));
        }
        assertEquals(embedding, binaryRoundTrip(embedding));
    }

    @Test
    void deadLetterKeepsOriginalBytes() throws IOException {
        byte[] undecodable = {0x00, 0x00, 0x00, 0x00, 0x2a, (byte) 0xc3, 0x28, (byte) 0xff};
        DeadLetter letter = DeadLetter.newBuilder()
                .setReason("unknown_schema_id")
                .setMessage("schema id 42 is not in the registry")
                .setStage("decode")
                .setSourceTopic("text-events")
                .setSourcePartition(3)
                .setSourceOffset(1L << 40)
                .setOriginalValue(ByteBuffer.wrap(undecodable))
                .setFailedTime(PROCESSED_TIME)
                .build();
        assertNull(letter.getOriginalKey());
        assertNull(letter.getModelName());

        DeadLetter decoded = DeadLetter.fromByteBuffer(letter.toByteBuffer());
        assertEquals(letter, decoded);
        assertArrayEquals(undecodable, bytes(decoded.getOriginalValue()));
        assertEquals(1L << 40, decoded.getSourceOffset());

        DeadLetter withModel = DeadLetter.newBuilder(letter)
                .setReason("inference_failed")
                .setStage("inference")
                .setOriginalKey(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setModelName("bge-small-en-v15-spam")
                .setModelVersion("1.0.0")
                .build();
        assertEquals(withModel, binaryRoundTrip(withModel));
    }

    @Test
    void timestampsKeepMillisecondsOnly() throws IOException {
        Instant precise = Instant.parse("2025-11-23T04:13:00.123456789Z");
        TextEvent event = TextEvent.newBuilder().setId("evt-1").setText("x").setEventTime(precise).build();
        assertEquals(precise.truncatedTo(ChronoUnit.MILLIS), binaryRoundTrip(event).getEventTime());
    }

    private static <T extends SpecificRecord> T binaryRoundTrip(T record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<T>(record.getSchema()).write(record, out);
        out.flush();
        return new SpecificDatumReader<T>(record.getSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
