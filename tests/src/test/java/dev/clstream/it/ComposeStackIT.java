package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.avro.TextEvent;
import dev.clstream.serde.RegistrySettings;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.serde.SchemaRegistryClients;
import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The whole deploy/docker-compose.yml stack, where a Docker engine runs: the clstream image built
 * from deploy/Dockerfile, Kafka, Confluent's Schema Registry, Prometheus and Grafana. Skipped
 * without Docker (our CI machines have none); the features it covers are each tested without Docker
 * too (DeployConfigIT, PrometheusScrapeIT, RoundTripIT, the dashboard checks).
 */
@Testcontainers(disabledWithoutDocker = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComposeStackIT {
    private static final int EVENTS = 20;
    // The compose file publishes these on the host.
    private static final String KAFKA = "localhost:9094";
    private static final String REGISTRY = "http://localhost:8081";
    private static final String CLSTREAM = "http://localhost:8080";
    private static final String PROMETHEUS = "http://localhost:9090";
    private static final String GRAFANA = "http://localhost:3000";

    private final ObjectMapper json = new ObjectMapper();
    private ComposeContainer stack;

    @BeforeAll
    void up() {
        // The image build runs the Maven build inside Docker: minutes.
        stack = new ComposeContainer(new File("../deploy/docker-compose.yml")).withLocalCompose(true).withBuild(true);
        stack.start();
        ItSupport.awaitOrFail(Duration.ofMinutes(10).toMillis(), () -> status(CLSTREAM + "/health/ready") == 200,
                () -> "clstream did not become ready: " + body(CLSTREAM + "/health/ready"));
    }

    @AfterAll
    void down() {
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    void eventsAreLabeledScrapedAndOnTheDashboard() throws Exception {
        var serializer = new AvroSerializer<TextEvent>(SchemaRegistryClients.create(Map.of(
                RegistrySettings.SCHEMA_REGISTRY_URL, REGISTRY)));
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(KAFKA)) {
            for (int i = 0; i < EVENTS; i++) {
                producer.send(new ProducerRecord<>("clstream-input", ("c" + i).getBytes(StandardCharsets.UTF_8),
                        serializer.serialize("clstream-input", ItSupport.event("c" + i, ItSupport.text(i)))));
            }
        }
        ItSupport.awaitOrFail(120_000, () -> committedCount("clstream-labels") >= EVENTS,
                () -> "labels: " + committedCount("clstream-labels") + " of " + EVENTS);
        assertEquals(EVENTS, committedCount("clstream-labels"));

        // Prometheus scrapes clstream with the project's config, and sees the events.
        ItSupport.awaitOrFail(120_000, () -> prometheusValue("sum(clstream_events_in_total)") >= EVENTS,
                () -> "Prometheus: " + body(PROMETHEUS + "/api/v1/query?query=clstream_events_in_total"));
        assertEquals(1.0, prometheusValue("up{job=\"clstream\"}"));

        // Grafana provisioned the clstream dashboard.
        HttpResponse<String> search = Http.send(HttpRequest.newBuilder(URI.create(GRAFANA + "/api/search?query=clstream"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(
                        StandardCharsets.UTF_8))).build());
        assertEquals(200, search.statusCode(), search.body());
        assertTrue(json.readTree(search.body()).size() >= 1, search.body());
    }

    private long committedCount(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long n = 0;
            for (int empty = 0; empty < 3; ) {
                int got = c.poll(Duration.ofSeconds(1)).count();
                n += got;
                empty = got == 0 ? empty + 1 : 0;
            }
            return n;
        }
    }

    private double prometheusValue(String query) {
        try {
            JsonNode result = json.readTree(body(PROMETHEUS + "/api/v1/query?query="
                    + java.net.URLEncoder.encode(query, StandardCharsets.UTF_8))).path("data").path("result");
            return result.isEmpty() ? -1 : result.get(0).path("value").get(1).asDouble();
        } catch (Exception e) {
            return -1;
        }
    }

    private static int status(String url) {
        try {
            return Http.get(url).statusCode();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String body(String url) {
        try {
            return Http.get(url).body();
        } catch (RuntimeException e) {
            return e.toString();
        }
    }
}
