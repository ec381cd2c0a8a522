package dev.clstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.testing.TopologyFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The label statistics made from each micro-batch's shares (one record per label and window per micro-batch, added up
 * after the repartition) equal those of the per-event computation they replaced (every labeled event read back from
 * the labels topic, repartitioned by label and added to its window one by one), on the same input.
 */
class LabelStatisticsEquivalenceTest {
    private static final long MINUTE = 60_000;
    private static final long T0 = 29_000_000 * MINUTE; // a window boundary
    private static final int EVENTS = 400;
    private static final String[] WORDS = {"cat", "mat", "dog", "sat", "the", "on", "free", "offer", "meeting"};

    @TempDir
    static Path dir;
    static InferenceEngine engine;

    @BeforeAll
    static void open() {
        engine = TopologyFixture.tinyEngine(dir, 1);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void sharesPerMicroBatchAddUpToThePerEventTotals() {
        List<Integer> batchSizes = new ArrayList<>();
        AtomicLong shareRecords = new AtomicLong();
        AtomicLong committed = new AtomicLong();
        PipelineListener counting = new PipelineListener() {
            @Override
            public void microBatch(int events, long tokens, long paddedTokens, long inferenceNanos) {
                batchSizes.add(events);
            }

            @Override
            public void labelsCommitted(long count) {
                shareRecords.incrementAndGet(); // called once per share read back after the repartition
                committed.addAndGet(count);
            }
        };
        List<TestRecord<byte[], byte[]>> labels = new ArrayList<>();
        Map<String, JsonNode> fromShares = new HashMap<>();
        try (TopologyFixture f = TopologyFixture.over(engine).set(ClstreamConfig.BATCH_MAX_SIZE, "16",
                "application.id", "label-stats-equivalence").listener(counting).start(Instant.ofEpochMilli(T0))
                .build()) {
            Random random = new Random(7);
            for (int i = 0; i < EVENTS; i++) {
                // Event time walks over five minutes; one event in four is up to 40 s late (within the grace).
                long eventTime = T0 + i * 5 * MINUTE / EVENTS - (random.nextInt(4) == 0 ? random.nextInt(40_000) : 0);
                String text = "the " + WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)]
                        + " " + WORDS[random.nextInt(WORDS.length)];
                f.send("k" + i % 7, "{\"id\":\"e" + i + "\",\"text\":\"" + text + "\",\"event_time\":" + eventTime
                        + "}");
                labels.addAll(f.labels().readRecordsToList());
            }
            // What still waits goes out on the batcher's punctuation.
            for (int tick = 0; tick < 100 && labels.size() < EVENTS; tick++) {
                f.driver.advanceWallClockTime(Duration.ofSeconds(1));
                labels.addAll(f.labels().readRecordsToList());
            }
            for (TestRecord<byte[], byte[]> r : f.labelStats().readRecordsToList()) {
                // Each record is its window's total so far: the last one per key is the answer.
                fromShares.put(new String(r.key(), StandardCharsets.UTF_8), TopologyFixture.json(r.value()));
            }
        }
        assertEquals(EVENTS, labels.size());
        assertEquals(EVENTS, committed.get(), "every labeled event counted as committed, once");

        Map<String, LabelWindowStats> perEvent = perEventStatistics(labels);
        assertTrue(perEvent.size() >= 8, "several labels in several windows: " + perEvent.keySet());
        assertEquals(perEvent.keySet(), fromShares.keySet());
        for (Map.Entry<String, LabelWindowStats> e : perEvent.entrySet()) {
            JsonNode stats = fromShares.get(e.getKey());
            assertEquals(e.getValue().count(), stats.get("count").asLong(), e.getKey());
            // The shares add the engine's float scores; the reference reads them back as JSON writes a float (its
            // shortest decimal), which differs from the float's own value in the ninth digit or so.
            assertEquals(e.getValue().meanScore(), stats.get("mean_confidence").asDouble(), 1e-7, e.getKey());
        }

        // One share per label and window per micro-batch: the labels come out in micro-batch order.
        long expectedShares = 0;
        int at = 0;
        for (int size : batchSizes) {
            Set<String> keys = new HashSet<>();
            for (TestRecord<byte[], byte[]> r : labels.subList(at, at + size)) {
                JsonNode v = TopologyFixture.json(r.value());
                keys.add(v.get("label").asText() + "@" + v.get("event_time").asLong() / MINUTE);
            }
            expectedShares += keys.size();
            at += size;
        }
        assertEquals(EVENTS, at);
        assertEquals(expectedShares, shareRecords.get());
        assertTrue(shareRecords.get() * 3 < EVENTS, shareRecords.get() + " share records for " + EVENTS + " events");
    }

    /**
     * The computation the shares replaced, kept here as the reference: each labeled event of the labels topic, in
     * the order they were written, to (label, score) at its event time, repartitioned by label, added to its window.
     */
    private static Map<String, LabelWindowStats> perEventStatistics(List<TestRecord<byte[], byte[]>> labels) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("labels", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new ContextualProcessor<byte[], byte[], String, Double>() {
                    @Override
                    public void process(Record<byte[], byte[]> record) {
                        JsonNode v = TopologyFixture.json(record.value());
                        context().forward(new Record<>(v.get("label").asText(), v.get("score").asDouble(),
                                v.get("event_time").asLong()));
                    }
                })
                .groupByKey(Grouped.with("by-label", Serdes.String(), Serdes.Double()))
                .windowedBy(TimeWindows.ofSizeAndGrace(LabelStatistics.WINDOW, LabelStatistics.GRACE))
                .aggregate(() -> LabelWindowStats.EMPTY, (label, score, total) -> total.plus(
                        new LabelWindowStats(1, score)), Materialized.with(Serdes.String(), LabelWindowStats.SERDE))
                .toStream()
                .map((w, s) -> KeyValue.pair(w.key() + "@" + Instant.ofEpochMilli(w.window().start()), s))
                .to("statistics", Produced.with(Serdes.String(), LabelWindowStats.SERDE));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "label-stats-per-event");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        Map<String, LabelWindowStats> latest = new HashMap<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), p)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic("labels", new ByteArraySerializer(),
                    new ByteArraySerializer());
            for (TestRecord<byte[], byte[]> r : labels) {
                in.pipeInput(r.key(), r.value(), r.timestamp());
            }
            driver.createOutputTopic("statistics", new StringDeserializer(), LabelWindowStats.SERDE.deserializer())
                    .readRecordsToList().forEach(r -> latest.put(r.key(), r.value()));
        }
        return latest;
    }
}
