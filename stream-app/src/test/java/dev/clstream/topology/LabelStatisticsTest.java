package dev.clstream.topology;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.serde.MockSchemaRegistry;
import dev.clstream.serde.SchemaRegistryClient;
import dev.clstream.serde.SchemaRegistryUnavailableException;
import dev.clstream.testing.TopologyFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The label statistics topic on TopologyTestDriver: per-minute event-time windows, counts and mean confidence. */
class LabelStatisticsTest {
    @TempDir
    static Path dir;
    static InferenceEngine engine;
    static final ObjectMapper JSON = new ObjectMapper();
    static final long MINUTE = 60_000;
    static final long T0 = 29_000_000 * MINUTE; // a window boundary

    @BeforeAll
    static void open() {
        engine = TopologyFixture.tinyEngine(dir, 1);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static TopologyFixture.Builder fixture(String... extra) {
        return TopologyFixture.over(engine).set(ClstreamConfig.BATCH_MAX_SIZE, "1", "application.id",
                "label-stats-test").set(extra);
    }

    /** Per window and label: count and score sum, from the labels topic as a consumer would see it. */
    private record Expected(long count, double scoreSum) {}

    @Test
    void countsAndMeanConfidencePerLabelPerMinuteOfEventTime() throws IOException {
        Map<String, Expected> expected = new HashMap<>();
        Map<String, JsonNode> latest = new HashMap<>();
        try (TopologyFixture f = fixture().start(Instant.ofEpochMilli(T0)).build()) {
            TestInputTopic<byte[], byte[]> input = f.input;
            // Twelve texts over two minutes of event time; the record timestamps all say the second minute, so
            // only event time can put the first six in the first window.
            String[] words = {"cat", "mat", "dog", "sat", "the", "on"};
            for (int i = 0; i < 12; i++) {
                long eventTime = T0 + (i < 6 ? 1_000 * i : MINUTE + 1_000 * i);
                String text = "the " + words[i % words.length] + " " + words[(i * 5) % words.length].repeat(1 + i % 3);
                input.pipeInput("k".getBytes(StandardCharsets.UTF_8), ("{\"id\":\"e" + i + "\",\"text\":\"" + text
                        + "\",\"event_time\":" + eventTime + "}").getBytes(StandardCharsets.UTF_8), T0 + MINUTE + 30_000);
            }
            for (TestRecord<byte[], byte[]> r : f.labels().readRecordsToList()) {
                JsonNode v = JSON.readTree(r.value());
                long window = v.get("event_time").asLong() / MINUTE * MINUTE;
                expected.merge(v.get("label").asText() + "@" + Instant.ofEpochMilli(window),
                        new Expected(1, v.get("score").asDouble()),
                        (a, b) -> new Expected(a.count() + b.count(), a.scoreSum() + b.scoreSum()));
            }
            for (TestRecord<byte[], byte[]> r : f.labelStats().readRecordsToList()) {
                // Each record is its window's total so far: the last one per key is the answer.
                latest.put(new String(r.key(), StandardCharsets.UTF_8), JSON.readTree(r.value()));
            }
        }
        assertEquals(12, expected.values().stream().mapToLong(Expected::count).sum());
        assertTrue(expected.keySet().stream().anyMatch(k -> k.endsWith("@" + Instant.ofEpochMilli(T0)))
                && expected.keySet().stream().anyMatch(k -> k.endsWith("@" + Instant.ofEpochMilli(T0 + MINUTE))));
        assertEquals(expected.keySet(), latest.keySet());
        for (Map.Entry<String, Expected> e : expected.entrySet()) {
            JsonNode stats = latest.get(e.getKey());
            assertEquals(e.getKey().substring(0, e.getKey().indexOf('@')), stats.get("label").asText());
            assertEquals(e.getValue().count(), stats.get("count").asLong(), e.getKey());
            assertEquals(e.getValue().scoreSum() / e.getValue().count(), stats.get("mean_confidence").asDouble(), 1e-6,
                    e.getKey());
            long start = Instant.parse(e.getKey().substring(e.getKey().indexOf('@') + 1)).toEpochMilli();
            assertEquals(start, stats.get("window_start").asLong());
            assertEquals(start + MINUTE, stats.get("window_end").asLong());
        }
    }

    @Test
    void offWhenDisabledOrWhenNoLabelsAreWritten() {
        for (String[] off : new String[][] {{ClstreamConfig.LABEL_STATS_ENABLED, "false"},
                {ClstreamConfig.LABELS_ENABLED, "false"}}) {
            try (TopologyFixture f = fixture(off).build()) {
                String description = f.topology().describe().toString();
                assertFalse(description.contains(f.config.labelStatsTopic()), description);
                assertFalse(f.config.labelStatsEnabled());
            }
        }
        try (TopologyFixture f = fixture().build()) {
            String on = f.topology().describe().toString();
            assertTrue(on.contains(f.config.labelStatsTopic())
                    && on.contains("clstream-label-stats-by-label-repartition"), on);
        }
    }

    /**
     * The statistics read the labels back through the registry; a registry that fails is not a record
     * to skip: the failure goes up (the stream thread retries), and no label is left out silently.
     */
    @Test
    void aRegistryFailureWhileReadingLabelsBackIsThrownNotSkipped() {
        String scope = "label-stats-registry-down";
        AtomicBoolean down = new AtomicBoolean(true);
        try (TopologyFixture f = fixture(ClstreamConfig.INPUT_FORMAT, "json", ClstreamConfig.OUTPUT_FORMAT, "avro",
                ClstreamConfig.SCHEMA_REGISTRY_URL, "mock://" + scope).registry(r -> new FailingById(r, down))
                .start(Instant.ofEpochMilli(T0)).build()) {
            StreamsException e = assertThrows(StreamsException.class,
                    () -> f.send("k", "{\"id\":\"e1\",\"text\":\"the cat sat\",\"event_time\":" + T0 + "}"));
            assertMessageNames(rootCause(e), "registry is down");
            assertTrue(f.labelStats().isEmpty());
        } finally {
            MockSchemaRegistry.drop(scope);
        }
    }

    /**
     * Records of the labels topic that are no labeled event (a tombstone, someone else's record) are skipped and
     * counted by reason ({@code clstream_label_stats_skipped_total}); a labeled event is counted as committed
     * ({@code clstream_labels_committed_total}) and in its window.
     */
    @Test
    void recordsThatAreNoLabeledEventAreSkippedAndCountedAndLabelsAreCountedAsCommitted() throws IOException {
        Map<String, Integer> skipped = new HashMap<>();
        AtomicInteger committed = new AtomicInteger();
        PipelineListener counting = new PipelineListener() {
            @Override
            public void labelStatsSkipped(String why) {
                skipped.merge(why, 1, Integer::sum);
            }

            @Override
            public void labelCommitted() {
                committed.incrementAndGet();
            }
        };
        try (TopologyFixture f = fixture().listener(counting).start(Instant.ofEpochMilli(T0)).build()) {
            TestInputTopic<byte[], byte[]> labels = f.driver.createInputTopic(f.config.labelsTopic(),
                    new ByteArraySerializer(), new ByteArraySerializer());
            labels.pipeInput("a".getBytes(StandardCharsets.UTF_8), null, T0);
            labels.pipeInput("b".getBytes(StandardCharsets.UTF_8), "{\"hello\": 1}".getBytes(StandardCharsets.UTF_8), T0);
            labels.pipeInput("c".getBytes(StandardCharsets.UTF_8), "not json".getBytes(StandardCharsets.UTF_8), T0);
            labels.pipeInput("d".getBytes(StandardCharsets.UTF_8), ("{\"id\": \"e1\", \"label\": \"positive\", "
                    + "\"score\": 0.75, \"event_time\": " + (T0 + 1_000) + "}").getBytes(StandardCharsets.UTF_8), T0);
            assertEquals(Map.of("null_value", 1, "not_a_labeled_event", 2), skipped);
            assertEquals(1, committed.get());
            JsonNode stats = JSON.readTree(f.labelStats().readRecordsToList().get(0).value());
            assertEquals("positive", stats.get("label").asText());
            assertEquals(1, stats.get("count").asLong());
        }
    }

    /** README: a late event counts in its window until a minute past the window's end (the grace), never after. */
    @Test
    void aLateEventChangesItsWindowWithinTheGraceAndNotAfter() throws IOException {
        try (TopologyFixture f = fixture().start(Instant.ofEpochMilli(T0)).build()) {
            TestInputTopic<byte[], byte[]> labels = f.driver.createInputTopic(f.config.labelsTopic(),
                    new ByteArraySerializer(), new ByteArraySerializer());
            // One event in the window [T0, T0 + 1 min), then stream time moves on.
            labels.pipeInput(KEY, labeled("e1", T0 + 1_000), T0);
            labels.pipeInput(KEY, labeled("e2", T0 + MINUTE + 30_000), T0);
            // 30 s after the window's end: within the grace, so the first window counts it.
            labels.pipeInput(KEY, labeled("late-in-grace", T0 + 2_000), T0);
            // Stream time 2 min 30 s past the first window's end: its grace is over.
            labels.pipeInput(KEY, labeled("e3", T0 + 3 * MINUTE + 30_000), T0);
            labels.pipeInput(KEY, labeled("too-late", T0 + 3_000), T0);
            Map<String, Long> latest = new HashMap<>();
            for (TestRecord<byte[], byte[]> r : f.labelStats().readRecordsToList()) {
                JsonNode v = JSON.readTree(r.value());
                latest.put(v.get("window_start").asText(), v.get("count").asLong());
            }
            assertEquals(2, latest.get(Long.toString(T0)), "e1 and the event within the grace; not the one after it");
        }
    }

    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

    private static byte[] labeled(String id, long eventTime) {
        return ("{\"id\": \"" + id + "\", \"label\": \"positive\", \"score\": 0.5, \"event_time\": " + eventTime
                + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A registry whose lookups by id fail while {@code down}: what an outage looks like to the serde. */
    private record FailingById(SchemaRegistryClient inner, AtomicBoolean down) implements SchemaRegistryClient {
        @Override
        public int register(String subject, Schema schema) {
            return inner.register(subject, schema);
        }

        @Override
        public int lookup(String subject, Schema schema) {
            return inner.lookup(subject, schema);
        }

        @Override
        public Schema byId(int id) {
            if (down.get()) {
                throw new SchemaRegistryUnavailableException("the registry is down", null);
            }
            return inner.byId(id);
        }

        @Override
        public List<String> subjects() {
            return inner.subjects();
        }
    }
}
