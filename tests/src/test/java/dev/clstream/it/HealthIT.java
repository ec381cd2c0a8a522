package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.testing.Http;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.embedded.EmbeddedKafka;
import dev.clstream.http.OpsRoutes;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.testing.PrometheusText;
import dev.clstream.testing.TestBundles;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The health endpoints of a real app against a real broker that goes away and comes back: not ready
 * before Streams is RUNNING, ready after, alive through a broker outage, not ready once the model
 * is gone. The broker is an in-process KRaft node restarted on its own ports and data directory.
 */
class HealthIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readinessFollowsStreamsAndTheModelAndLivenessOutlastsABrokerOutage() throws Exception {
        Path work = Files.createTempDirectory(ItSupport.workDir(), "health-");
        Path kafkaDir = work.resolve("kafka");
        int brokerPort;
        int controllerPort;
        ClstreamConfig config;
        try (EmbeddedKafka first = EmbeddedKafka.start(kafkaDir)) {
            brokerPort = first.brokerPort();
            controllerPort = first.controllerPort();
            config = ClstreamConfig.of(Map.of("bootstrap.servers", first.bootstrapServers(),
                    ClstreamConfig.MODEL_BUNDLE, TestBundles.tiny(work.resolve("tiny")).directory().toString(),
                    ClstreamConfig.INPUT_FORMAT, "json", ClstreamConfig.OUTPUT_FORMAT, "json",
                    ClstreamConfig.HTTP_PORT, "0", ClstreamConfig.HTTP_BIND_ADDRESS, "127.0.0.1",
                    ClstreamConfig.BATCH_MAX_SIZE, "1", "application.id", "health-it",
                    "state.dir", work.resolve("state").toString()));
            first.createTopics(2, config.inputTopic(), config.labelsTopic(), config.embeddingsTopic(),
                    config.deadLetterTopic(), config.labelStatsTopic());
        }

        // The app starts while the broker is down: alive, but not ready, and it says why.
        try (ClstreamRuntime app = ClstreamRuntime.start(config)) {
            String base = app.httpUrl().orElseThrow();
            for (int i = 0; i < 20; i++) {
                assertEquals(200, get(base + OpsRoutes.LIVE).statusCode());
                HttpResponse<String> ready = get(base + OpsRoutes.READY);
                assertEquals(503, ready.statusCode(), ready.body());
                assertTrue(ready.body().contains("not RUNNING"), ready.body());
                ItSupport.sleep(100);
            }

            EmbeddedKafka broker = EmbeddedKafka.start(kafkaDir, brokerPort, controllerPort);
            try {
                awaitStatus(base + OpsRoutes.READY, 200);
                produce(config, "before-outage");
                awaitLabeled(base, 1);

                // A broker outage of a few seconds: the app stays alive throughout (a restart would not help).
                broker.close();
                List<Integer> live = new ArrayList<>();
                long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
                while (System.nanoTime() < end) {
                    live.add(get(base + OpsRoutes.LIVE).statusCode());
                    ItSupport.sleep(100);
                }
                assertTrue(live.size() > 30 && live.stream().allMatch(s -> s == 200), "liveness during the outage: "
                        + live);

                broker = EmbeddedKafka.start(kafkaDir, brokerPort, controllerPort);
                produce(config, "after-outage");
                awaitLabeled(base, 2);
                awaitStatus(base + OpsRoutes.READY, 200);

                // The model gone (closed): not ready, though Streams still runs.
                app.engine().close();
                HttpResponse<String> noModel = get(base + OpsRoutes.READY);
                assertEquals(503, noModel.statusCode());
                assertEquals(List.of("the model is not loaded"), reasons(noModel));
                assertEquals(200, get(base + OpsRoutes.LIVE).statusCode());
            } finally {
                broker.close();
            }
        }
    }

    private void produce(ClstreamConfig config, String id) {
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(config.streamsProperties()
                .getProperty("bootstrap.servers"))) {
            producer.send(new ProducerRecord<>(config.inputTopic(), id.getBytes(StandardCharsets.UTF_8),
                    ("{\"id\":\"" + id + "\",\"text\":\"the cat sat\"}").getBytes(StandardCharsets.UTF_8)));
        }
    }

    private void awaitLabeled(String base, int count) {
        ItSupport.awaitOrFail(120_000, () -> PrometheusText.parse(body(base + OpsRoutes.METRICS))
                        .valueOr("clstream_events_out_total{output=\"labels\"}", 0) >= count,
                () -> "labeled events did not reach " + count);
    }

    private void awaitStatus(String url, int status) {
        ItSupport.awaitOrFail(120_000, () -> statusOf(url) == status, () -> url + " did not answer " + status
                + "; last: " + body(url));
    }

    private static List<String> reasons(HttpResponse<String> r) throws Exception {
        List<String> out = new ArrayList<>();
        JSON.readTree(r.body()).get("reasons").forEach(n -> out.add(n.asText()));
        return out;
    }

    private int statusOf(String url) {
        try {
            return get(url).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private String body(String url) {
        try {
            return get(url).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static HttpResponse<String> get(String url) {
        return Http.get(url);
    }
}
