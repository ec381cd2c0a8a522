package dev.clstream.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.http.LivePage;
import dev.clstream.http.OpsRoutes;
import dev.clstream.testing.Http;
import dev.clstream.testing.PrometheusText;
import dev.clstream.testing.TestBundles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole app in embedded mode with a tiny model: its HTTP endpoint, readiness, metrics, the live page's data and
 * label statistics.
 */
class RuntimeOpsTest {
    @TempDir
    Path dir;

    @Test
    void embeddedAppServesReadinessAndMetricsOnLoopback() throws Exception {
        ClstreamConfig config = ClstreamConfig.of(Map.of(
                ClstreamConfig.MODEL_BUNDLE, TestBundles.tiny(dir.resolve("tiny")).directory().toString(),
                ClstreamConfig.INPUT_FORMAT, "json", ClstreamConfig.OUTPUT_FORMAT, "json",
                ClstreamConfig.HTTP_PORT, "0", ClstreamConfig.BATCH_MAX_SIZE, "1",
                ClstreamConfig.INFERENCE_CONCURRENCY, "1", "state.dir", dir.resolve("state").toString()));
        try (ClstreamRuntime app = ClstreamRuntime.start(config)) {
            String base = app.httpUrl().orElseThrow();
            assertEquals("http://127.0.0.1:" + app.httpPort().orElseThrow(), base, "embedded mode stays on loopback");
            assertEquals(200, Http.get(base + OpsRoutes.LIVE).statusCode());
            assertTrue(app.awaitRunning(Duration.ofSeconds(120)), "Streams did not reach RUNNING");
            // RUNNING is read by the probe itself; wait for it rather than assume it within some time.
            assertEquals(200, until(base + OpsRoutes.READY, r -> r.statusCode() == 200).statusCode());

            try (KafkaProducer<byte[], byte[]> producer = producer(app.bootstrapServers())) {
                producer.send(new ProducerRecord<>(config.inputTopic(), "k".getBytes(StandardCharsets.UTF_8),
                        "{\"id\":\"a\",\"text\":\"the cat sat\"}".getBytes(StandardCharsets.UTF_8)));
                producer.send(new ProducerRecord<>(config.inputTopic(), "k".getBytes(StandardCharsets.UTF_8),
                        "{broken".getBytes(StandardCharsets.UTF_8)));
            }
            HttpResponse<String> metrics = until(base + OpsRoutes.METRICS, r -> PrometheusText.parse(r.body())
                    .valueOr("clstream_events_out_total{output=\"labels\"}", 0) >= 1
                    && PrometheusText.parse(r.body()).has("clstream_dead_letters_total{reason=\"invalid_json\"}"));
            PrometheusText scraped = PrometheusText.parse(metrics.body());
            assertEquals(2, scraped.value("clstream_events_in_total"));
            assertEquals(1, scraped.value("clstream_model_info{model=\"tiny\",version=\"0.0.1-test\"}"));
            // Kafka Streams' own metrics, through Micrometer's binder.
            assertTrue(scraped.all().keySet().stream().anyMatch(s -> s.startsWith("kafka_stream_thread_process_rate")),
                    metrics.body());
            assertTrue(scraped.all().keySet().stream().anyMatch(s -> s.startsWith("kafka_consumer_")), metrics.body());

            // The live page's data: the same two records, with the bad one among the recent dead letters.
            // Waited for: the labels counter above moves a moment before the event counts as out.
            JsonNode live = json(until(base + LivePage.DATA,
                    r -> json(r).path("totals").path("out").asLong() == 2));
            assertEquals(2, live.path("totals").path("in").asLong(), live.toString());
            assertEquals(2, live.path("totals").path("out").asLong(), "one labeled, one dead-lettered: " + live);
            assertEquals("invalid_json", live.path("recent_dead_letters").path(0).path("reason").asText());
            assertEquals(TestBundles.TINY_LABELS, List.of(live.path("labels").path(0).asText(),
                    live.path("labels").path(1).asText()));
            assertEquals(200, Http.get(base + LivePage.PAGE).statusCode());

            // Embedded mode created the label statistics topic, and the one labeled event is counted there.
            String stats = firstValue(app.bootstrapServers(), config.labelStatsTopic());
            assertTrue(stats.contains("\"count\":1"), stats);
        }
    }

    private static String firstValue(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            for (int i = 0; i < 120; i++) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    return new String(r.value(), StandardCharsets.UTF_8);
                }
            }
        }
        return "nothing in " + topic;
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return new ObjectMapper().readTree(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(r.body(), e);
        }
    }

    /** Polls (for up to two minutes) until the response passes, and returns the last response either way. */
    private static HttpResponse<String> until(String url, Predicate<HttpResponse<String>> done) {
        return Http.getUntil(url, done, Duration.ofMinutes(2));
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
