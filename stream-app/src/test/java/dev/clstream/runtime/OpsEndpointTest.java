package dev.clstream.runtime;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.event.DeadLetterReason;
import dev.clstream.http.HttpEndpoint;
import dev.clstream.http.InfoDocument;
import dev.clstream.http.OpsRoutes;
import dev.clstream.metrics.ClstreamMetrics;
import dev.clstream.secrets.Secrets;
import dev.clstream.testing.Http;
import dev.clstream.testing.PrometheusText;
import dev.clstream.testing.TestBundles;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operations endpoints on a real socket (port 0), with a fake Streams state and model. */
class OpsEndpointTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final BundleManifest MODEL = new BundleManifest(BundleManifest.FORMAT_VERSION, "tiny", "1.2.3", "a test",
            32, TestBundles.TINY_LABELS, Optional.of(TestBundles.linearHead(2, 8, 7)),
            Map.of("model.onnx", "a".repeat(64), "tokenizer.json", "b".repeat(64)), null, null);

    final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
    final AtomicBoolean modelLoaded = new AtomicBoolean(true);
    final AtomicLong oldestRunMs = new AtomicLong();
    PrometheusMeterRegistry registry;
    RuntimeHealth health;
    HttpEndpoint endpoint;

    @BeforeEach
    void start() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ClstreamMetrics metrics = new ClstreamMetrics(registry);
        metrics.modelServed(MODEL);
        metrics.eventIn();
        metrics.deadLetter(DeadLetterReason.INVALID_JSON, "not JSON", "clstream-input-0@0");
        health = new RuntimeHealth(state::get, modelLoaded::get, oldestRunMs::get, 5_000, 3, 60_000);
        ClstreamConfig config = ClstreamConfig.of(Map.of("bootstrap.servers", "b:9092",
                ClstreamConfig.SCHEMA_REGISTRY_URL, "https://registry:8081",
                ClstreamConfig.BASIC_AUTH_USER_INFO, "alice:registry-pw",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"kafka-pw\";",
                "ssl.keystore.key", "-----BEGIN PRIVATE KEY-----", "ssl.key.password", "key-pw",
                ClstreamConfig.HTTP_PORT, "0"));
        endpoint = HttpEndpoint.start("127.0.0.1", config.http().port(), OpsRoutes.of(registry, health,
                () -> InfoDocument.of(MODEL, config)));
    }

    @AfterEach
    void stop() {
        endpoint.close();
        registry.close();
    }

    private HttpResponse<String> get(String path) {
        return Http.get("http://127.0.0.1:" + endpoint.port() + path);
    }

    @Test
    void portZeroBindsAFreePortThatCanBeRead() {
        assertNotEquals(0, endpoint.port());
        assertEquals("127.0.0.1", endpoint.host());
    }

    @Test
    void metricsAreServedInPrometheusTextFormat() throws Exception {
        HttpResponse<String> r = get(OpsRoutes.METRICS);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        PrometheusText scraped = PrometheusText.parse(r.body());
        assertEquals(1, scraped.value("clstream_events_in_total"));
        assertEquals(1, scraped.value("clstream_dead_letters_total{reason=\"invalid_json\"}"));
        assertEquals(1, scraped.value("clstream_model_info{model=\"tiny\",version=\"1.2.3\"}"));
    }

    @Test
    void readyOnlyWhileStreamsRunsAndTheModelIsLoaded() throws Exception {
        HttpResponse<String> created = get(OpsRoutes.READY);
        assertEquals(503, created.statusCode());
        assertEquals(List.of("Kafka Streams is CREATED, not RUNNING"), reasons(created));

        state.set(KafkaStreams.State.REBALANCING);
        assertEquals(List.of("Kafka Streams is REBALANCING, not RUNNING"), reasons(get(OpsRoutes.READY)));

        state.set(KafkaStreams.State.RUNNING);
        HttpResponse<String> running = get(OpsRoutes.READY);
        assertEquals(200, running.statusCode());
        assertEquals("ready", JSON.readTree(running.body()).get("status").asText());

        modelLoaded.set(false);
        HttpResponse<String> noModel = get(OpsRoutes.READY);
        assertEquals(503, noModel.statusCode());
        assertEquals("application/json", noModel.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(List.of("the model is not loaded"), reasons(noModel));
    }

    @Test
    void readinessSaysWhileTheModelLoadsAndWhyItFailed() throws Exception {
        state.set(null);
        modelLoaded.set(false);
        health.modelLoading();
        assertEquals(List.of("Kafka Streams has not started", "the model is loading"), reasons(get(OpsRoutes.READY)));
        health.modelFailed("bundle /b: checksum mismatch for model.onnx");
        HttpResponse<String> failed = get(OpsRoutes.READY);
        assertEquals(503, failed.statusCode());
        assertEquals(List.of("Kafka Streams has not started",
                "the model failed to load: bundle /b: checksum mismatch for model.onnx"), reasons(failed));
        assertEquals(200, get(OpsRoutes.LIVE).statusCode(), "alive until the process decides to exit");

        modelLoaded.set(true);
        health.modelLoaded();
        state.set(KafkaStreams.State.RUNNING);
        assertEquals(200, get(OpsRoutes.READY).statusCode());
    }

    @Test
    void deadWhenStreamsStoppedForGoodOrThreadsKeepFailing() throws Exception {
        state.set(KafkaStreams.State.ERROR);
        HttpResponse<String> error = get(OpsRoutes.LIVE);
        assertEquals(503, error.statusCode());
        assertEquals(List.of("Kafka Streams is ERROR: no stream thread is left to process"), reasons(error));
        state.set(KafkaStreams.State.RUNNING);
        long now = System.currentTimeMillis();
        health.threadFailed(now - 120_000, "an old failure, outside the window", false);
        health.threadFailed(now, "RegistryException: 401", false);
        health.threadFailed(now, "RegistryException: 401", false);
        assertEquals(200, get(OpsRoutes.LIVE).statusCode(), "two in the window, the third long ago");
        health.threadFailed(now, "RegistryException: 401", false);
        HttpResponse<String> loop = get(OpsRoutes.LIVE);
        assertEquals(503, loop.statusCode());
        assertMessageNames(new AssertionError(reasons(loop).toString()), "3 stream threads failed",
                "health.max.thread.replacements = 3");
        assertEquals(4, health.threadReplacements());
    }

    @Test
    void notReadyWhileTheEncoderFailsOrStalls() throws Exception {
        state.set(KafkaStreams.State.RUNNING);
        health.threadFailed(System.currentTimeMillis(), "EncoderStalledException: device lost", true);
        assertEquals(List.of("the encoder is failing: EncoderStalledException: device lost"),
                reasons(get(OpsRoutes.READY)));
        assertEquals(200, get(OpsRoutes.LIVE).statusCode(), "one failure is no crash loop");
        health.microBatch(1, 5, 5, 1_000);
        assertEquals(200, get(OpsRoutes.READY).statusCode(), "a micro-batch went through: the encoder works");
        oldestRunMs.set(7_000);
        assertMessageNames(new AssertionError(reasons(get(OpsRoutes.READY)).toString()), "in flight for 7000 ms",
                "hard limit of 5000 ms");
    }

    @Test
    void liveThroughRebalancesUntilShutdownBegins() throws Exception {
        state.set(KafkaStreams.State.REBALANCING);
        assertEquals(200, get(OpsRoutes.LIVE).statusCode(), "a rebalance or broker outage is not death");
        state.set(KafkaStreams.State.RUNNING);
        health.shuttingDown();
        assertEquals(503, get(OpsRoutes.LIVE).statusCode());
        HttpResponse<String> ready = get(OpsRoutes.READY);
        assertEquals(503, ready.statusCode());
        assertEquals(List.of("shutting down"), reasons(ready));
    }

    @Test
    void infoNamesTheModelAndRedactsSecrets() throws Exception {
        HttpResponse<String> r = get(OpsRoutes.INFO);
        assertEquals(200, r.statusCode());
        JsonNode info = JSON.readTree(r.body());
        assertEquals("tiny", info.at("/model/name").asText());
        assertEquals("1.2.3", info.at("/model/version").asText());
        assertEquals("a".repeat(64), info.at("/model/sha256/model.onnx").asText());
        assertEquals("[\"negative\",\"positive\"]", info.at("/model/labels").toString());
        JsonNode config = info.get("config");
        assertEquals("b:9092", config.get("bootstrap.servers").asText());
        assertEquals("https://registry:8081", config.get(ClstreamConfig.SCHEMA_REGISTRY_URL).asText());
        assertEquals("32", config.get(ClstreamConfig.BATCH_MAX_SIZE).asText(), "defaults are shown too");
        for (String secret : List.of(ClstreamConfig.BASIC_AUTH_USER_INFO, "sasl.jaas.config", "ssl.keystore.key",
                "ssl.key.password")) {
            assertEquals(Secrets.REDACTED, config.get(secret).asText(), secret);
        }
        for (String leaked : List.of("registry-pw", "kafka-pw", "PRIVATE KEY", "key-pw")) {
            assertFalse(r.body().contains(leaked), leaked);
        }
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        assertEquals(404, get("/health/live/more").statusCode());
        assertEquals(404, get("/nothing-here").statusCode());
        HttpResponse<String> post = Http.post("http://127.0.0.1:" + endpoint.port() + OpsRoutes.INFO, "x");
        assertEquals(405, post.statusCode());
    }

    @Test
    void aTakenPortFailsNamingTheSetting() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> HttpEndpoint.start("127.0.0.1", endpoint.port(), List.of()));
        assertMessageNames(e, "http.port");
    }

    private static List<String> reasons(HttpResponse<String> r) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        JSON.readTree(r.body()).path("reasons").forEach(n -> out.add(n.asText()));
        return out;
    }
}
