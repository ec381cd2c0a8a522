package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.avro.TextEvent;
import dev.clstream.avro.TrustedClasses;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.InferenceException;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.runtime.Hooks;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.testing.Http;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.PrometheusText;
import dev.clstream.testing.TestBundles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fault that is not the record's is retried, never dead-lettered: a schema id the registry does not know yet, a
 * registry that is down for a while, encoder runs that fail a few times, an encoder that fails on everything. Each
 * test sends 20 good events through a fault and requires 20 labels, no dead letter, and the retries counted.
 */
@ExtendWith({KafkaTestCluster.class, SchemaRegistryServer.class})
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RetryIT {
    static final int EVENTS = 20;

    @TempDir
    Path dir;

    private Map<String, String> settings(String name, ItSupport.Topics topics, String format, String registryUrl) {
        Map<String, String> s = new HashMap<>(topics.settings());
        s.put("bootstrap.servers", KafkaTestCluster.bootstrapServers());
        s.put("application.id", KafkaTestCluster.uniqueName(name + "-app"));
        s.put("state.dir", dir.resolve(name + "-state").toString());
        s.put(ClstreamConfig.INPUT_FORMAT, format);
        s.put(ClstreamConfig.OUTPUT_FORMAT, format);
        if (registryUrl != null) {
            s.put(ClstreamConfig.SCHEMA_REGISTRY_URL, registryUrl);
        }
        s.put(ClstreamConfig.HTTP_PORT, "0");
        s.put(ClstreamConfig.BATCH_MAX_SIZE, "8");
        s.put(ClstreamConfig.INFERENCE_CONCURRENCY, "1");
        s.put(ClstreamConfig.MODEL_BUNDLE, TestBundles.tiny(dir.resolve(name + "-tiny")).directory().toString());
        return s;
    }

    @Test
    void anUnknownSchemaIdIsAskedForAgainBeforeItsRecordIsDeadLettered() throws Exception {
        TrustedClasses.install();
        ItSupport.Topics topics = ItSupport.createAppTopics("retry-id", 1);
        try (RegistryFaultProxy proxy = new RegistryFaultProxy(SchemaRegistryServer.url());
             OutputCollector out = new OutputCollector(KafkaTestCluster.bootstrapServers(), topics.outputs());
             ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(settings("retry-id", topics, "avro",
                     proxy.url())))) {
            assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "not RUNNING: " + app.streams().state());
            // The events' schema is registered through the real registry; the app, behind the proxy, is told 3 times
            // that the id does not exist, as a replica that has not caught up would.
            proxy.unknownIds(3);
            sendAvro(topics.input());
            awaitLabeled(out, topics);
            assertEquals(3, proxy.faultsGiven());
            assertTrue(metric(app, "clstream_registry_retries_total") >= 3, "retries counted");
        }
    }

    @Test
    void aRegistryOutageIsRetriedAndNoLabelIsLeftOutOfTheStatistics() throws Exception {
        TrustedClasses.install();
        ItSupport.Topics topics = ItSupport.createAppTopics("retry-down", 1);
        try (RegistryFaultProxy proxy = new RegistryFaultProxy(SchemaRegistryServer.url());
             OutputCollector out = new OutputCollector(KafkaTestCluster.bootstrapServers(), topics.labels(),
                     topics.embeddings(), topics.deadLetters(), topics.labelStats());
             ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(settings("retry-down", topics, "avro",
                     proxy.url())))) {
            assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "not RUNNING: " + app.streams().state());
            // Longer than one request's own retries: stream threads fail and are replaced until it is back.
            proxy.unavailable("/schemas/ids/", 12);
            sendAvro(topics.input());
            awaitLabeled(out, topics);
            assertEquals(12, proxy.faultsGiven());
            // Every label is in the statistics: per key (label@minute) the latest record is the total so far.
            ItSupport.awaitOrFail(60_000, () -> ItSupport.labelStatisticsTotal(out, topics.labelStats()) == EVENTS,
                    () -> "label statistics count " + ItSupport.labelStatisticsTotal(out, topics.labelStats())
                            + " of " + EVENTS);
            assertTrue(metric(app, "clstream_registry_retries_total") >= 8, "retries counted");
            assertTrue(metric(app, "clstream_stream_thread_replacements_total") >= 1, "threads replaced");
        }
    }

    @Test
    void encoderRunsThatFailAFewTimesAreRetriedBeforeAnyDeadLetter() throws Exception {
        ItSupport.Topics topics = ItSupport.createAppTopics("retry-encoder", 1);
        // Armed once the app runs: the engine's own runs at open (its probe) are not what this test is about.
        AtomicInteger failures = new AtomicInteger(0);
        Hooks flaky = Hooks.encoder(batch -> {
            if (failures.getAndDecrement() > 0) {
                throw new InferenceException("CUDA error: out of memory (a passing fault)");
            }
        });
        try (OutputCollector out = new OutputCollector(KafkaTestCluster.bootstrapServers(), topics.outputs());
             ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(settings("retry-encoder", topics, "json",
                     null)), flaky)) {
            assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "not RUNNING: " + app.streams().state());
            failures.set(2);
            sendJson(topics.input());
            awaitLabeled(out, topics);
            assertTrue(failures.get() <= 0, "the encoder failed twice");
            // Both failures may fall in one window (its runs go side by side): one retry at least.
            assertTrue(metric(app, "clstream_inference_retries_total") >= 1, "retries counted");
        }
    }

    @Test
    void anEncoderThatFailsOnEverythingStopsTheStreamInsteadOfDeadLetteringIt() throws Exception {
        ItSupport.Topics topics = ItSupport.createAppTopics("retry-broken", 1);
        AtomicBoolean broken = new AtomicBoolean(false);
        Hooks device = Hooks.encoder(batch -> {
            if (broken.get()) {
                throw new InferenceException("CUDA error: device lost");
            }
        });
        try (OutputCollector out = new OutputCollector(KafkaTestCluster.bootstrapServers(), topics.outputs());
             ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(settings("retry-broken", topics, "json",
                     null)), device)) {
            assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "not RUNNING: " + app.streams().state());
            broken.set(true);
            sendJson(topics.input());
            String ready = app.httpUrl().orElseThrow() + "/health/ready";
            var notReady = Http.getUntil(ready, r -> r.body().contains("the encoder is failing"), Duration.ofSeconds(60));
            assertEquals(503, notReady.statusCode(), notReady.body());
            assertTrue(notReady.body().contains("device lost"), notReady.body());
            assertEquals(0, out.count(topics.deadLetters()), "nothing dead-lettered while the encoder is at fault");
            broken.set(false);
            awaitLabeled(out, topics);
            assertEquals(200, Http.getUntil(ready, r -> r.statusCode() == 200, Duration.ofSeconds(30)).statusCode());
        }
    }

    private static void sendAvro(String topic) throws Exception {
        AvroSerializer<TextEvent> serializer = ItSupport.textEventSerializer();
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(KafkaTestCluster.bootstrapServers())) {
            for (int i = 0; i < EVENTS; i++) {
                producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(topic, ItSupport.event("e" + i, ItSupport.text(i))))).get();
            }
        }
    }

    private static void sendJson(String topic) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(KafkaTestCluster.bootstrapServers())) {
            for (int i = 0; i < EVENTS; i++) {
                producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("{\"id\":\"e" + i + "\",\"text\":\"" + ItSupport.text(i) + "\"}").getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }
    }

    private static void awaitLabeled(OutputCollector out, ItSupport.Topics topics) {
        ItSupport.awaitOrFail(120_000, () -> out.count(topics.labels()) >= EVENTS, () -> "labels "
                + out.count(topics.labels()) + " of " + EVENTS + ", dead letters " + out.count(topics.deadLetters()));
        ItSupport.sleep(1_000);
        assertEquals(EVENTS, out.count(topics.labels()), "labels");
        assertEquals(0, out.count(topics.deadLetters()), "dead letters");
    }

    private static double metric(ClstreamRuntime app, String name) {
        return PrometheusText.parse(Http.get(app.httpUrl().orElseThrow() + "/metrics").body()).valueOr(name, 0);
    }
}
