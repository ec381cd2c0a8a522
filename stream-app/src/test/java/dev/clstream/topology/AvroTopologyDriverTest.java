package dev.clstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.avro.ClsEmbedding;
import dev.clstream.avro.DeadLetter;
import dev.clstream.avro.LabeledEvent;
import dev.clstream.avro.TextEvent;
import dev.clstream.avro.TrustedClasses;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.serde.AvroDeserializer;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.serde.MockSchemaRegistry;
import dev.clstream.serde.SchemaRegistryClient;
import dev.clstream.testing.TopologyFixture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Avro in and out through the Confluent wire format and an in-JVM registry; Avro-specific dead letters. */
class AvroTopologyDriverTest {
    static final String SCOPE = "avro-topology-test";
    @TempDir
    static Path dir;
    static InferenceEngine engine;

    TopologyFixture fixture;
    ClstreamConfig config;
    TestInputTopic<byte[], byte[]> input;
    SchemaRegistryClient registry;

    @BeforeAll
    static void open() {
        TrustedClasses.install();
        engine = TopologyFixture.tinyEngine(dir, 1);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @AfterEach
    void tearDown() {
        fixture.close();
        MockSchemaRegistry.drop(SCOPE);
    }

    private void start() {
        fixture = TopologyFixture.over(engine).set(ClstreamConfig.INPUT_FORMAT, "avro", ClstreamConfig.OUTPUT_FORMAT,
                "avro", "application.id", "avro-test", ClstreamConfig.SCHEMA_REGISTRY_URL, "mock://" + SCOPE,
                ClstreamConfig.BATCH_MAX_SIZE, "1").build();
        config = fixture.config;
        registry = fixture.registry();
        input = fixture.input;
    }

    private byte[] event(String id, String text) {
        return new AvroSerializer<TextEvent>(registry).serialize(config.inputTopic(), TextEvent.newBuilder().setId(id)
                .setText(text).setEventTime(Instant.ofEpochMilli(42)).build());
    }

    private <T> List<T> read(String topic, Class<T> type) {
        TestOutputTopic<byte[], byte[]> out = fixture.output(topic);
        @SuppressWarnings({"unchecked", "rawtypes"})
        AvroDeserializer<T> d = (AvroDeserializer) AvroDeserializer.specific(registry, (Class) type);
        return out.readValuesToList().stream().map(v -> d.deserialize(topic, v)).toList();
    }

    @Test
    void labelsAndEmbeddingsAreAvroRegisteredUnderTopicNameSubjects() {
        start();
        input.pipeInput("k".getBytes(StandardCharsets.UTF_8), event("id-1", "the cat sat on the mat"));
        LabeledEvent label = read(config.labelsTopic(), LabeledEvent.class).get(0);
        assertEquals("id-1", label.getId());
        assertEquals(Instant.ofEpochMilli(42), label.getEventTime());
        assertEquals(List.of("negative", "positive"), label.getProbabilities().stream().map(p -> p.getLabel()).toList());
        assertEquals(List.of(), label.getHeads(), "one unnamed head: the record's own fields, not repeated in heads");
        ClsEmbedding emb = read(config.embeddingsTopic(), ClsEmbedding.class).get(0);
        assertEquals(8, emb.getDimension());
        assertEquals(8, emb.getVector().size());
        assertTrue(registry.subjects().containsAll(List.of(config.inputTopic() + "-value", config.labelsTopic() + "-value",
                config.embeddingsTopic() + "-value")), registry.subjects().toString());
        // Label statistics read the Avro labels back (they are JSON themselves): one event in the minute of 42 ms.
        List<byte[]> stats = fixture.labelStats().readValuesToList();
        assertEquals(1, stats.size());
        String json = new String(stats.get(0), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"label\":\"" + label.getLabel() + "\"") && json.contains("\"count\":1")
                && json.contains("\"window_start\":0"), json);
    }

    @Test
    void avroFailuresAreDeadLetteredWithTheirReasons() {
        start();
        byte[] good = event("ok", "the cat sat");
        byte[] wrongMagic = good.clone();
        wrongMagic[0] = 1;
        byte[] unknownId = good.clone();
        unknownId[4] = 99;
        byte[] corrupt = java.util.Arrays.copyOf(good, 7);
        Schema noText = SchemaBuilder.record("Other").namespace("x").fields().requiredString("id").endRecord();
        GenericRecord other = new GenericData.Record(noText);
        other.put("id", "z");
        byte[] incompatible = new AvroSerializer<GenericRecord>(registry).serialize("other-topic", other);
        Map<String, byte[]> cases = Map.of("magic", wrongMagic, "unknown", unknownId, "corrupt", corrupt,
                "incompatible", incompatible);
        cases.forEach((k, v) -> input.pipeInput(k.getBytes(StandardCharsets.UTF_8), v));
        input.pipeInput("ok".getBytes(StandardCharsets.UTF_8), good);
        Map<String, String> reasons = new HashMap<>();
        for (DeadLetter d : read(config.deadLetterTopic(), DeadLetter.class)) {
            String key = StandardCharsets.UTF_8.decode(d.getOriginalKey()).toString();
            reasons.put(key, d.getReason());
            assertEquals(ByteBuffer.wrap(cases.get(key)), d.getOriginalValue());
            assertEquals("decode", d.getStage());
            assertTrue(d.getMessage() != null && !d.getMessage().isBlank());
        }
        assertEquals(Map.of("magic", "wrong_magic_byte", "unknown", "unknown_schema_id", "corrupt", "undecodable",
                "incompatible", "incompatible_schema"), reasons);
        List<LabeledEvent> labels = read(config.labelsTopic(), LabeledEvent.class);
        assertEquals(List.of("ok"), labels.stream().map(LabeledEvent::getId).toList());
    }
}
