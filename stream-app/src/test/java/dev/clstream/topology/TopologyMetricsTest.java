package dev.clstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.testing.TopologyFixture;
import dev.clstream.metrics.ClstreamMetrics;
import dev.clstream.testing.PrometheusText;
import dev.clstream.testing.TestBundles;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Good and bad events through the real topology; the counts come back from the scraped Prometheus text. */
class TopologyMetricsTest {
    @TempDir
    static Path dir;
    static InferenceEngine engine;
    static final ObjectMapper JSON = new ObjectMapper();
    static final long NOW = 1_000_000;

    @BeforeAll
    static void open() {
        // Several texts per encoder run, so that a run holding the long text pads the others.
        engine = TopologyFixture.tinyEngine(dir, 8);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void countsEventsOutputsDeadLettersBatchesAndLabels() throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Map<String, Integer> labelCounts = new HashMap<>();
        try (TopologyFixture f = TopologyFixture.over(engine).set(ClstreamConfig.BATCH_MAX_SIZE, "3",
                ClstreamConfig.BATCH_MAX_WAIT_MS, "60000", ClstreamConfig.BATCH_MAX_TOKENS, "100000",
                "application.id", "metrics-test").listener(new ClstreamMetrics(registry))
                .start(Instant.ofEpochMilli(NOW)).build()) {
            TestInputTopic<byte[], byte[]> input = f.input;
            // Six good events (two full batches; one of them long enough to be cut at max length 32) and
            // four bad ones of three reasons.
            for (int i = 0; i < 5; i++) {
                send(input, "{\"id\":\"e" + i + "\",\"text\":\"the cat sat on the mat " + "cat ".repeat(i)
                        + "\",\"event_time\":" + (NOW - 2_000) + "}");
            }
            send(input, "{\"id\":\"long\",\"text\":\"" + "the cat sat on the mat ".repeat(20) + "\",\"event_time\":"
                    + (NOW - 2_000) + "}");
            send(input, null);
            send(input, "{not json");
            send(input, "[1]");
            send(input, "{\"text\":\"\"}");
            for (TestRecord<byte[], byte[]> r : f.labels().readRecordsToList()) {
                JsonNode v = JSON.readTree(r.value());
                labelCounts.merge(v.get("label").asText(), 1, Integer::sum);
                assertTrue(v.get("truncated").asBoolean() == v.get("id").asText().equals("long"));
            }
        }
        assertEquals(6, labelCounts.values().stream().mapToInt(Integer::intValue).sum());
        PrometheusText scraped = PrometheusText.parse(registry.scrape());

        assertEquals(10, scraped.value("clstream_events_in_total"));
        assertEquals(6, scraped.value("clstream_events_out_total{output=\"labels\"}"));
        assertEquals(6, scraped.value("clstream_events_out_total{output=\"embeddings\"}"));
        assertEquals(4, scraped.value("clstream_events_out_total{output=\"dead_letters\"}"));
        assertEquals(1, scraped.value("clstream_dead_letters_total{reason=\"null_value\"}"));
        assertEquals(2, scraped.value("clstream_dead_letters_total{reason=\"invalid_json\"}"));
        assertEquals(1, scraped.value("clstream_dead_letters_total{reason=\"empty_text\"}"));
        assertEquals(1, scraped.value("clstream_truncated_total"));
        for (String label : TestBundles.TINY_LABELS) {
            int expected = labelCounts.getOrDefault(label, 0);
            assertEquals(expected, scraped.valueOr("clstream_predictions_total{label=\"" + label + "\"}", 0));
            assertEquals(expected, scraped.valueOr("clstream_prediction_confidence_count{label=\"" + label + "\"}", 0));
            // Every confidence is a probability: all of them lie in the last bucket, none above it.
            assertEquals(expected, scraped.valueOr("clstream_prediction_confidence_bucket{label=\"" + label
                    + "\",le=\"1.0\"}", 0));
        }
        // Two batches of three events; the second holds the long text, so some of its grid is padding.
        assertEquals(2, scraped.value("clstream_batch_size_count"));
        assertEquals(6, scraped.value("clstream_batch_size_sum"));
        assertEquals(0, scraped.value("clstream_batch_size_bucket{le=\"2.0\"}"));
        assertEquals(2, scraped.value("clstream_batch_size_bucket{le=\"4.0\"}"));
        assertEquals(2, scraped.value("clstream_batch_tokens_count"));
        assertTrue(scraped.value("clstream_batch_tokens_sum") > 32 + 5 * 8, "the long text alone has 32 tokens");
        assertEquals(2, scraped.value("clstream_batch_padding_ratio_count"));
        assertTrue(scraped.value("clstream_batch_padding_ratio_sum") > 0, "texts of different lengths were padded");
        assertTrue(scraped.value("clstream_batch_padding_ratio_sum") < 2, "a ratio per batch, each below 1");
        assertEquals(2, scraped.value("clstream_inference_seconds_count"));
        // Tokenised: the six good events; the empty one never got that far.
        assertEquals(6, scraped.value("clstream_tokenize_seconds_count"));
        // The driver's wall clock stood at NOW; each event was stamped 2 s before it.
        assertEquals(6, scraped.value("clstream_end_to_end_latency_seconds_count"));
        assertEquals(12.0, scraped.value("clstream_end_to_end_latency_seconds_sum"), 1e-9);
        assertEquals(0, scraped.value("clstream_end_to_end_latency_seconds_bucket{le=\"1.0\"}"));
        assertEquals(6, scraped.value("clstream_end_to_end_latency_seconds_bucket{le=\"2.5\"}"));
        assertEquals(1, scraped.value("clstream_model_info{model=\"tiny\",version=\"0.0.1-test\"}"));
    }

    private static void send(TestInputTopic<byte[], byte[]> input, String json) {
        input.pipeInput("k".getBytes(StandardCharsets.UTF_8), json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }
}
