package dev.clstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.testing.TopologyFixture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.TestInputTopic;
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
     * A labeled event is counted as committed ({@code clstream_labels_committed_total}) when its micro-batch's share
     * is read back after the repartition, and in its window; one whose time is before 1970 has no window: it is
     * labeled, left out of the statistics and counted by reason ({@code clstream_label_stats_skipped_total}).
     */
    @Test
    void labelsAreCountedAsCommittedAndAnEventWithNoWindowIsSkippedAndCounted() throws IOException {
        Map<String, Integer> skipped = new HashMap<>();
        AtomicLong committed = new AtomicLong();
        PipelineListener counting = new PipelineListener() {
            @Override
            public void labelStatsSkipped(String why) {
                skipped.merge(why, 1, Integer::sum);
            }

            @Override
            public void labelsCommitted(long count) {
                committed.addAndGet(count);
            }
        };
        try (TopologyFixture f = fixture().listener(counting).start(Instant.ofEpochMilli(T0)).build()) {
            f.send("a", "{\"id\":\"e1\",\"text\":\"the cat sat\",\"event_time\":" + (T0 + 1_000) + "}");
            f.send("b", "{\"id\":\"e2\",\"text\":\"the dog sat\",\"event_time\":-60000}");
            assertEquals(2, f.labels().readRecordsToList().size());
            assertEquals(Map.of("no_time", 1), skipped);
            assertEquals(1, committed.get());
            List<TestRecord<byte[], byte[]>> stats = f.labelStats().readRecordsToList();
            assertEquals(1, stats.size());
            assertEquals(1, JSON.readTree(stats.get(0).value()).get("count").asLong());
        }
    }

    /**
     * Releases before the micro-batch shares wrote one score per event (8 bytes) to the same repartition topic: an
     * upgraded instance that finds such records there counts each once, and reads its own 16-byte shares as written.
     */
    @Test
    void aScoreAnEarlierReleaseLeftInTheRepartitionTopicCountsAsOneEvent() {
        byte[] old = ByteBuffer.allocate(8).putDouble(0.75).array();
        assertEquals(new LabelWindowStats(1, 0.75), LabelWindowStats.SERDE.deserializer().deserialize("t", old));
        LabelWindowStats share = new LabelWindowStats(12, 8.5);
        assertEquals(share, LabelWindowStats.SERDE.deserializer().deserialize("t",
                LabelWindowStats.SERDE.serializer().serialize("t", share)));
    }

    /** README: a late event counts in its window until a minute past the window's end (the grace), never after. */
    @Test
    void aLateEventChangesItsWindowWithinTheGraceAndNotAfter() throws IOException {
        try (TopologyFixture f = fixture().start(Instant.ofEpochMilli(T0)).build()) {
            // One event in the window [T0, T0 + 1 min), then stream time moves on (one event per micro-batch).
            f.send("k", event("e1", T0 + 1_000));
            f.send("k", event("e2", T0 + MINUTE + 30_000));
            // 30 s after the window's end: within the grace, so the first window counts it.
            f.send("k", event("late-in-grace", T0 + 2_000));
            // Stream time 2 min 30 s past the first window's end: its grace is over.
            f.send("k", event("e3", T0 + 3 * MINUTE + 30_000));
            f.send("k", event("too-late", T0 + 3_000));
            assertEquals(5, f.labels().readRecordsToList().size(), "every event is labeled, late or not");
            Map<String, Long> latest = new HashMap<>();
            for (TestRecord<byte[], byte[]> r : f.labelStats().readRecordsToList()) {
                JsonNode v = JSON.readTree(r.value());
                latest.put(v.get("window_start").asText(), v.get("count").asLong());
            }
            assertEquals(2, latest.get(Long.toString(T0)), "e1 and the event within the grace; not the one after it");
        }
    }

    /** An input event with the same text each time, so that every one gets the same label. */
    private static String event(String id, long eventTime) {
        return "{\"id\":\"" + id + "\",\"text\":\"the cat sat\",\"event_time\":" + eventTime + "}";
    }
}
