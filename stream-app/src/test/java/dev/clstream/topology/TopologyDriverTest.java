package dev.clstream.topology;

import static dev.clstream.testing.TopologyFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.avro.ClsEmbedding;
import dev.clstream.avro.DeadLetter;
import dev.clstream.avro.LabelProbability;
import dev.clstream.avro.LabeledEvent;
import dev.clstream.bundle.TextStrategy;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Prediction;
import dev.clstream.testing.TestBundles;
import dev.clstream.testing.TopologyFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology on TopologyTestDriver with a tiny model: the batcher's three flush triggers, dead-letter routing, and
 * what every output carries (keys, timestamps, headers, the JSON fields).
 */
class TopologyDriverTest {
    @TempDir
    static Path dir;
    static InferenceEngine engine;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void open() {
        engine = TopologyFixture.tinyEngine(dir, 1);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** The real topology, JSON in and out, with the given settings. */
    private static TopologyFixture fixture(Map<String, String> settings) {
        return TopologyFixture.over(engine).set(settings).start(Instant.ofEpochMilli(1_000_000)).build();
    }

    private static String event(int i) {
        return "{\"id\":\"e" + i + "\",\"text\":\"the cat sat on the mat number " + i + "\",\"event_time\":" + (1000 + i) + "}";
    }


    @Test
    void flushesWhenTheBatchIsFull() {
        try (TopologyFixture h = fixture(Map.of(ClstreamConfig.BATCH_MAX_SIZE, "3", ClstreamConfig.BATCH_MAX_WAIT_MS, "60000",
                ClstreamConfig.BATCH_MAX_TOKENS, "100000"))) {
            h.send("k1", event(1));
            h.send("k2", event(2));
            assertTrue(h.labels().isEmpty(), "two events wait for a third");
            h.send("k3", event(3));
            List<TestRecord<byte[], byte[]>> out = h.labels().readRecordsToList();
            assertEquals(List.of("e1", "e2", "e3"), out.stream().map(r -> json(r.value()).get("id").asText()).toList());
            assertEquals("k2", new String(out.get(1).key(), StandardCharsets.UTF_8), "keys are preserved");
            assertEquals(3, h.embeddings().readRecordsToList().size());
            h.send("k4", event(4));
            assertTrue(h.labels().isEmpty(), "a new batch starts");
        }
    }

    @Test
    void flushesWhenTheBatchHoldsEnoughTokens() {
        // Each event is [CLS] + 8 word pieces or so + [SEP]; 20 tokens are reached by the second or third event.
        try (TopologyFixture h = fixture(Map.of(ClstreamConfig.BATCH_MAX_SIZE, "1000", ClstreamConfig.BATCH_MAX_WAIT_MS,
                "60000", ClstreamConfig.BATCH_MAX_TOKENS, "20"))) {
            h.send("k1", event(1));
            assertTrue(h.labels().isEmpty(), "one event is below the token limit");
            h.send("k2", event(2));
            h.send("k3", event(3));
            List<TestRecord<byte[], byte[]>> out = h.labels().readRecordsToList();
            assertTrue(!out.isEmpty(), "the token limit flushed the batch");
            int tokens = out.stream().mapToInt(r -> json(r.value()).get("tokens").asInt()).sum();
            assertTrue(tokens >= 20, "flushed at " + tokens + " tokens");
        }
    }

    @Test
    void flushesWhenTheOldestEventHasWaitedLongEnough() {
        try (TopologyFixture h = fixture(Map.of(ClstreamConfig.BATCH_MAX_SIZE, "1000", ClstreamConfig.BATCH_MAX_WAIT_MS,
                "200", ClstreamConfig.BATCH_MAX_TOKENS, "100000"))) {
            h.send("k1", event(1));
            h.driver.advanceWallClockTime(Duration.ofMillis(100));
            assertTrue(h.labels().isEmpty(), "100 ms is below the wait limit");
            h.driver.advanceWallClockTime(Duration.ofMillis(150));
            assertEquals(1, h.labels().readRecordsToList().size(), "flushed after 250 ms");
        }
    }

    @Test
    void outputsCarryProbabilitiesModelAndHeaders() {
        try (TopologyFixture h = fixture(Map.of(ClstreamConfig.BATCH_MAX_SIZE, "1"))) {
            h.send("k1", event(7));
            TestRecord<byte[], byte[]> r = h.labels().readRecord();
            JsonNode v = json(r.value());
            assertEquals("e7", v.get("id").asText());
            assertEquals(1007, v.get("event_time").asLong());
            assertEquals(2, v.get("probabilities").size());
            double sum = v.get("probabilities").get(0).get("probability").asDouble()
                    + v.get("probabilities").get(1).get("probability").asDouble();
            assertEquals(1.0, sum, 1e-5);
            assertEquals("tiny", v.get("model_name").asText());
            assertEquals("tiny", header(r, "clstream.model.name"));
            assertEquals("0.0.1-test", header(r, "clstream.model.version"));
            JsonNode e = json(h.embeddings().readRecord().value());
            assertEquals(8, e.get("dimension").asInt());
            assertEquals(8, e.get("vector").size());
        }
    }

    @Test
    void aBundleReadingInChunksPublishesThePooledVectorAndSaysSo() {
        String longText = "the cat sat on the mat ".repeat(12); // more than one window of the tiny bundle's 30 tokens
        try (InferenceEngine chunked = InferenceEngine.open(TestBundles.tiny(dir.resolve("chunked"))
                .withText(TextStrategy.chunks(4, 0)), EncoderOptions.defaults());
             TopologyFixture h = TopologyFixture.over(chunked).set(Map.of(ClstreamConfig.BATCH_MAX_SIZE, "2"))
                     .start(Instant.ofEpochMilli(1_000_000)).build()) {
            h.send("k1", "{\"id\":\"long\",\"text\":\"" + longText + "\"}");
            h.send("k2", "{\"id\":\"short\",\"text\":\"the cat\"}");
            Prediction expected = chunked.predict(List.of(chunked.tokenize(longText))).get(0);
            JsonNode pooled = json(h.embeddings().readRecord().value());
            assertTrue(expected.windows() > 1);
            assertEquals(expected.windows(), pooled.get("windows").asInt());
            assertEquals("mean", pooled.get("pooling").asText());
            for (int i = 0; i < 8; i++) {
                assertEquals(expected.embedding()[i], pooled.get("vector").get(i).floatValue(), 1e-5f);
            }
            JsonNode one = json(h.embeddings().readRecord().value());
            assertEquals(1, one.get("windows").asInt());
            assertEquals("mean", one.get("pooling").asText(), "the bundle pools, even one window");
            assertEquals(expected.tokens(), json(h.labels().readRecord().value()).get("tokens").asInt());
        }
        try (TopologyFixture h = fixture(Map.of(ClstreamConfig.BATCH_MAX_SIZE, "1"))) {
            h.send("k1", event(1));
            JsonNode e = json(h.embeddings().readRecord().value());
            assertEquals(1, e.get("windows").asInt());
            assertTrue(e.get("pooling").isNull(), "a truncating bundle's vector is one h_0");
        }
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicWhileGoodOnesAreLabeled() {
        try (TopologyFixture h = fixture(Map.of(ClstreamConfig.BATCH_MAX_SIZE, "1", ClstreamConfig.TEXT_MAX_BYTES, "100"))) {
            h.send("good1", event(1));
            h.send("null", null);
            h.send("broken", "{not json");
            h.send("array", "[1,2]");
            h.send("notext", "{\"id\":\"x\"}");
            h.send("empty", "{\"text\":\"\"}");
            h.send("blank", "{\"text\":\"   \"}");
            h.send("big", "{\"text\":\"" + "a ".repeat(60) + "\"}");
            h.send("ctrl", "{\"text\":\"\\u0000\\u0001\"}");
            h.send("good2", event(2));
            Map<String, String> reasons = new HashMap<>();
            for (TestRecord<byte[], byte[]> r : h.deadLetters().readRecordsToList()) {
                JsonNode d = json(r.value());
                reasons.put(new String(r.key(), StandardCharsets.UTF_8), d.get("reason").asText());
                assertEquals(h.config.inputTopic(), d.get("source_topic").asText());
                assertEquals(d.get("reason").asText(), header(r, "clstream.dead.letter.reason"));
            }
            assertEquals(Map.of("null", "null_value", "broken", "invalid_json", "array", "invalid_json",
                    "notext", "missing_text", "empty", "empty_text", "blank", "blank_text", "big", "text_too_large",
                    "ctrl", "no_tokens"), reasons);
            assertEquals(List.of("e1", "e2"), h.labels().readRecordsToList().stream()
                    .map(r -> json(r.value()).get("id").asText()).toList());
        }
    }

    @Test
    void deadLettersKeepTheOriginalBytes() throws IOException {
        try (TopologyFixture h = fixture(Map.of(ClstreamConfig.INPUT_FORMAT, "text"))) {
            byte[] notUtf8 = {(byte) 0xC3, (byte) 0x28, 'a'};
            h.input.pipeInput("k".getBytes(StandardCharsets.UTF_8), notUtf8);
            JsonNode d = json(h.deadLetters().readRecord().value());
            assertEquals("undecodable", d.get("reason").asText());
            assertEquals("decode", d.get("stage").asText());
            assertEquals(List.of((byte) 0xC3, (byte) 0x28, (byte) 'a'), toList(d.get("original_value").binaryValue()));
            assertEquals("k", new String(d.get("original_key").binaryValue(), StandardCharsets.UTF_8));
        }
    }

    private static List<Byte> toList(byte[] b) {
        java.util.ArrayList<Byte> out = new java.util.ArrayList<>();
        for (byte x : b) {
            out.add(x);
        }
        return out;
    }

    /** README, "Keys and headers": every output keeps the input's key, timestamp and headers, plus the model's. */
    @Test
    void everyOutputKeepsTheInputsKeyTimestampAndHeadersAndNamesTheModel() {
        try (TopologyFixture h = fixture(Map.of(ClstreamConfig.BATCH_MAX_SIZE, "1"))) {
            Headers in = new RecordHeaders().add("trace", "t-1".getBytes(StandardCharsets.UTF_8))
                    .add("tenant", "acme".getBytes(StandardCharsets.UTF_8));
            Instant time = Instant.ofEpochMilli(1_234_567);
            h.input.pipeInput(new TestRecord<>("good".getBytes(StandardCharsets.UTF_8),
                    event(1).getBytes(StandardCharsets.UTF_8), in, time));
            h.input.pipeInput(new TestRecord<>("bad".getBytes(StandardCharsets.UTF_8),
                    "{not json".getBytes(StandardCharsets.UTF_8), in, time));
            List<TestRecord<byte[], byte[]>> outputs = List.of(h.labels().readRecord(), h.embeddings().readRecord(),
                    h.deadLetters().readRecord());
            for (TestRecord<byte[], byte[]> r : outputs) {
                String what = r == outputs.get(2) ? "dead letter" : json(r.value()).has("vector") ? "embedding" : "label";
                assertEquals(r == outputs.get(2) ? "bad" : "good", new String(r.key(), StandardCharsets.UTF_8), what);
                assertEquals(time, r.getRecordTime(), what + ": timestamp");
                assertEquals("t-1", header(r, "trace"), what);
                assertEquals("acme", header(r, "tenant"), what);
                assertEquals("tiny", header(r, "clstream.model.name"), what);
                assertEquals("0.0.1-test", header(r, "clstream.model.version"), what);
            }
            // A record that failed before the model had a part names no model in its dead letter's fields.
            JsonNode d = json(outputs.get(2).value());
            assertEquals("decode", d.get("stage").asText());
            assertTrue(d.get("model_name").isNull() && d.get("model_version").isNull(), d.toString());
        }
    }

    /** README, "JSON output": output.format=json writes the same fields as the Avro schemas, no more, no fewer. */
    @Test
    void jsonOutputsHaveExactlyTheFieldsOfTheAvroSchemas() {
        try (TopologyFixture h = fixture(Map.of(ClstreamConfig.BATCH_MAX_SIZE, "1"))) {
            h.send("good", event(1));
            h.send("bad", "{not json");
            JsonNode label = json(h.labels().readRecord().value());
            assertEquals(fields(LabeledEvent.getClassSchema()), keys(label), "labels");
            for (JsonNode p : label.get("probabilities")) {
                assertEquals(fields(LabelProbability.getClassSchema()), keys(p), "an element of probabilities");
            }
            assertEquals(fields(ClsEmbedding.getClassSchema()), keys(json(h.embeddings().readRecord().value())),
                    "embeddings");
            assertEquals(fields(DeadLetter.getClassSchema()), keys(json(h.deadLetters().readRecord().value())),
                    "dead letters");
        }
    }

    private static Set<String> fields(Schema schema) {
        return schema.getFields().stream().map(Schema.Field::name).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> keys(JsonNode n) {
        Set<String> out = new TreeSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static String header(TestRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
