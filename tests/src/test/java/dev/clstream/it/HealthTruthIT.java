package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.avro.TextEvent;
import dev.clstream.avro.TrustedClasses;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.runtime.Hooks;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.serde.SchemaRegistryClient;
import dev.clstream.serde.SchemaRegistryException;
import dev.clstream.testing.Http;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.PrometheusText;
import dev.clstream.testing.TestBundles;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health that tells the truth, on the test cluster: a crash loop (the registry refuses the app's credentials, so
 * every stream thread fails on its first record) turns liveness 503 within the window, while a healthy run never
 * does; and the probes answer within a second while 20 slow clients hold connections to the endpoint.
 */
@ExtendWith({KafkaTestCluster.class, SchemaRegistryServer.class})
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class HealthTruthIT {
    @TempDir
    Path dir;

    private Map<String, String> settings(String name, ItSupport.Topics topics) {
        Map<String, String> s = new HashMap<>(topics.settings());
        s.put("bootstrap.servers", KafkaTestCluster.bootstrapServers());
        s.put("application.id", KafkaTestCluster.uniqueName(name + "-app"));
        s.put("state.dir", dir.resolve(name + "-state").toString());
        s.put(ClstreamConfig.SCHEMA_REGISTRY_URL, SchemaRegistryServer.url());
        s.put(ClstreamConfig.HTTP_PORT, "0");
        s.put(ClstreamConfig.HEALTH_MAX_THREAD_REPLACEMENTS, "3");
        s.put(ClstreamConfig.HEALTH_THREAD_REPLACEMENT_WINDOW_MS, "120000");
        s.put(ClstreamConfig.MODEL_BUNDLE, TestBundles.tiny(dir.resolve(name + "-tiny")).directory().toString());
        return s;
    }

    @Test
    void aCrashLoopTurnsLivenessOffWithinTheWindow() throws Exception {
        TrustedClasses.install();
        ItSupport.Topics topics = ItSupport.createAppTopics("health-loop", 1);
        Hooks wrongPassword = Hooks.registry(Unauthorized::new);
        try (ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(settings("health-loop", topics)),
                wrongPassword)) {
            String base = app.httpUrl().orElseThrow();
            assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "not RUNNING: " + app.streams().state());
            assertEquals(200, Http.get(base + "/health/live").statusCode());
            send(topics.input(), 1);
            HttpResponse<String> dead = Http.getUntil(base + "/health/live", r -> r.statusCode() == 503,
                    Duration.ofSeconds(120));
            assertEquals(503, dead.statusCode(), dead.body());
            assertTrue(dead.body().contains("crash loop"), dead.body());
            double replacements = PrometheusText.parse(Http.get(base + "/metrics").body())
                    .value("clstream_stream_thread_replacements_total");
            assertTrue(replacements >= 3, "replacements " + replacements);
        }
    }

    @Test
    void aHealthyRunStaysLiveAndProbesAnswerBehindSlowClients() throws Exception {
        TrustedClasses.install();
        ItSupport.Topics topics = ItSupport.createAppTopics("health-ok", 2);
        try (OutputCollector out = new OutputCollector(KafkaTestCluster.bootstrapServers(), topics.outputs());
             ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(settings("health-ok", topics)))) {
            String base = app.httpUrl().orElseThrow();
            assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "not RUNNING: " + app.streams().state());
            List<Integer> liveness = new CopyOnWriteArrayList<>();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (watching.get()) {
                    liveness.add(Http.get(base + "/health/live").statusCode());
                    ItSupport.sleep(100);
                }
            }, "liveness-watcher");
            watcher.start();
            send(topics.input(), 200);
            ItSupport.awaitOrFail(60_000, () -> out.count(topics.labels()) >= 200,
                    () -> "labels " + out.count(topics.labels()));

            // 20 clients that open a connection, send half a request and wait: each holds a worker of the endpoint.
            int port = app.httpPort().orElseThrow();
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    OutputStream o = s.getOutputStream();
                    o.write("GET /metrics HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
                    o.flush();
                    slow.add(s);
                }
                ItSupport.sleep(500);
                for (String probe : List.of("/health/live", "/health/ready", "/health/live", "/health/ready")) {
                    long t0 = System.nanoTime();
                    int status = Http.get(base + probe).statusCode();
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertEquals(200, status, probe);
                    assertTrue(ms < 1_000, probe + " took " + ms + " ms behind 20 slow clients");
                }
                // The slow ones are cut off after the endpoint's request timeout, not held for ever.
                Socket first = slow.get(0);
                first.setSoTimeout(15_000);
                InputStream in = first.getInputStream();
                long t0 = System.nanoTime();
                while (in.read() >= 0) {
                    // drain whatever the server says before it closes
                }
                assertTrue((System.nanoTime() - t0) / 1e9 < 15, "the slow connection was closed by the server");
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
            watching.set(false);
            watcher.join(5_000);
            assertTrue(liveness.size() > 10, "probed " + liveness.size() + " times");
            assertTrue(liveness.stream().allMatch(status -> status == 200), "liveness during a healthy run: " + liveness);
        }
    }

    private static void send(String topic, int n) throws Exception {
        AvroSerializer<TextEvent> serializer = ItSupport.textEventSerializer();
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(KafkaTestCluster.bootstrapServers())) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(topic, ItSupport.event("h" + i, ItSupport.text(i)))));
            }
            producer.flush();
        }
    }

    /** A registry that refuses the app's credentials for every schema it asks for by id: a wrong password. */
    private record Unauthorized(SchemaRegistryClient inner) implements SchemaRegistryClient {
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
            throw new SchemaRegistryException("fetching schema id " + id + " failed: HTTP 401 Unauthorized (check "
                    + "basic.auth.credentials.source and basic.auth.user.info)", 401, 40101);
        }

        @Override
        public List<String> subjects() {
            return inner.subjects();
        }
    }
}
