package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.avro.TextEvent;
import dev.clstream.avro.TrustedClasses;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.http.LivePage;
import dev.clstream.http.OpsRoutes;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.testing.Http;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.SecretSettings;
import dev.clstream.testing.TestBundles;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets and event texts as a user of a real deployment would look for them: {@code clstream run} as a child JVM
 * on the test cluster, started with every secret-bearing setting of {@link SecretSettings} (and a registry URL with
 * user info), labels events and dead-letters one. None of the secret values may appear in its log, {@code /info},
 * {@code /api/live}, {@code /metrics} or the page; the live page lists the events without their texts (a real
 * cluster: {@code live.show.texts} defaults to false); and everything but the probes and the scrape needs
 * {@code http.auth.token}. A start that fails on its Kafka security settings prints no secret either.
 */
@ExtendWith({KafkaTestCluster.class, SchemaRegistryServer.class})
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecretsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = SecretSettings.TABLE.get(ClstreamConfig.HTTP_AUTH_TOKEN);
    static final String TEXT_MARK = "private-text-8821";
    static final int EVENTS = 12;

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void noSecretOrEventTextIsShownByARunningApp() throws Exception {
        TrustedClasses.install();
        ItSupport.Topics topics = ItSupport.createAppTopics("secrets", 1);
        int port = ItSupport.freePort();
        Map<String, String> settings = settings("secrets", topics);
        settings.putAll(SecretSettings.TABLE);
        settings.put(ClstreamConfig.SCHEMA_REGISTRY_URL, SecretSettings.withCredentials(
                SchemaRegistryServer.url()));
        settings.put(ClstreamConfig.HTTP_PORT, Integer.toString(port));
        // Every event is listed as low-confidence: its text would be on the page if texts were shown.
        settings.put(ClstreamConfig.LIVE_LOW_CONFIDENCE_THRESHOLD, "1.0");
        Path log = logFile("secrets-run");
        Process child = start(settings, log);
        String base = "http://127.0.0.1:" + port;
        ItSupport.awaitOrFail(90_000, () -> {
            assertTrue(child.isAlive(), "the child ended: " + ItSupport.tail(log, 30));
            try {
                return Http.get(base + OpsRoutes.READY, null).statusCode() == 200;
            } catch (UncheckedIOException notListeningYet) {
                return false;
            }
        }, () -> "not ready; its log ends with:\n" + ItSupport.tail(log, 30));

        produce(topics.input());
        ItSupport.readAll(topics.labels(), EVENTS);
        ItSupport.readAll(topics.deadLetters(), 1);

        // The probes and the scrape need no token, and show no secret.
        for (String open : List.of(OpsRoutes.LIVE, OpsRoutes.READY, OpsRoutes.METRICS)) {
            HttpResponse<String> r = Http.get(base + open, null);
            assertEquals(200, r.statusCode(), open);
            assertEquals(List.of(), SecretSettings.shownIn(r.body()), open);
        }
        // Everything else needs it; the 401 shows nothing either.
        for (String guarded : List.of(OpsRoutes.INFO, LivePage.DATA, LivePage.PAGE)) {
            HttpResponse<String> r = Http.get(base + guarded, null);
            assertEquals(401, r.statusCode(), guarded);
            assertEquals(List.of(), SecretSettings.shownIn(r.body()), guarded);
            assertEquals(401, Http.get(base + guarded, "Bearer not-" + TOKEN).statusCode(), guarded);
        }
        assertEquals(200, Http.get(base + LivePage.PAGE, "Bearer " + TOKEN).statusCode());

        HttpResponse<String> info = Http.get(base + OpsRoutes.INFO, "Bearer " + TOKEN);
        assertEquals(200, info.statusCode());
        assertEquals(List.of(), SecretSettings.shownIn(info.body()), info.body());
        JsonNode config = JSON.readTree(info.body()).get("config");
        assertEquals(SchemaRegistryServer.url(), config.get(ClstreamConfig.SCHEMA_REGISTRY_URL).asText(),
                "the registry URL without its user info");

        JsonNode live = JSON.readTree(Http.get(base + LivePage.DATA, "Bearer " + TOKEN).body());
        assertFalse(live.get("texts_shown").asBoolean(), "a real cluster's app hides event texts by default");
        assertTrue(live.get("low_confidence").size() > 0, "events are listed: " + live);
        live.get("low_confidence").forEach(e -> assertTrue(e.get("text").isNull(), e.toString()));
        assertTrue(live.get("recent_dead_letters").size() > 0, "the dead letter is listed: " + live);
        live.get("recent_dead_letters").forEach(e -> assertTrue(e.get("message").isNull(), e.toString()));
        assertFalse(live.toString().contains(TEXT_MARK), live.toString());
        assertEquals(List.of(), SecretSettings.shownIn(live.toString()));

        ChildApp.signal(child, "TERM");
        assertEquals(ChildApp.SIGTERM_EXIT, ChildApp.awaitExit(child, 60, log));
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(output.contains("clstream running"), "the child ran: " + ItSupport.tail(log, 20));
        assertEquals(List.of(), SecretSettings.shownIn(output), "secrets in the log " + log);
    }

    @Test
    void aStartThatFailsOnItsSecuritySettingsPrintsNoSecret() throws Exception {
        // SASL over TLS with a JAAS line the login module refuses (no closing semicolon) and a trust store that does
        // not exist: the clients fail while the app starts, and the app says why.
        String jaas = SecretSettings.TABLE.get("sasl.jaas.config");
        String why = failedStart("secrets-sasl", Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", jaas.substring(0, jaas.length() - 1),
                "ssl.truststore.location", dir.resolve("no-such-truststore.jks").toString()));
        assertTrue(why.contains("JAAS config entry not terminated by semi-colon"), why);
        // A broker address with credentials in it: Kafka's own message quotes the address it cannot parse.
        why = failedStart("secrets-bootstrap", Map.of("bootstrap.servers",
                "SASL_SSL://kafka-user:" + SecretSettings.URL_PASSWORD + "@broker.invalid:9093:x"));
        assertTrue(why.contains("bootstrap.servers"), why);
    }

    /** Starts the app with every secret-bearing setting and {@code overrides}; it must fail and print no secret. */
    private String failedStart(String name, Map<String, String> overrides) throws Exception {
        Map<String, String> settings = settings(name, ItSupport.createAppTopics(name, 1));
        settings.putAll(SecretSettings.TABLE);
        settings.put(ClstreamConfig.SCHEMA_REGISTRY_URL, SecretSettings.withCredentials(SchemaRegistryServer.url()));
        settings.put(ClstreamConfig.HTTP_PORT, "0");
        settings.putAll(overrides);
        Path log = logFile(name);
        int exit = ChildApp.awaitExit(start(settings, log), 120, log);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertNotEquals(0, exit, "the start fails: " + ItSupport.tail(log, 20));
        assertEquals(List.of(), SecretSettings.shownIn(output), "secrets in the output " + log);
        return output;
    }

    private Map<String, String> settings(String name, ItSupport.Topics topics) {
        Map<String, String> s = new HashMap<>(topics.settings());
        s.put("bootstrap.servers", KafkaTestCluster.bootstrapServers());
        s.put("application.id", KafkaTestCluster.uniqueName(name + "-app"));
        s.put("state.dir", dir.resolve(name + "-state").toString());
        s.put(ClstreamConfig.MODEL_BUNDLE, TestBundles.tiny(dir.resolve(name + "-tiny")).directory().toString());
        return s;
    }

    /** Under target/it-work, kept after the test: what to read when it fails. */
    private static Path logFile(String name) throws java.io.IOException {
        return Files.createDirectories(ItSupport.workDir()).resolve(KafkaTestCluster.uniqueName(name) + ".log");
    }

    private Process start(Map<String, String> settings, Path log) {
        Process p = ChildApp.start(ChildApp.command(dir, List.of("-Xmx512m"), List.of("run"), settings), log);
        children.add(p);
        return p;
    }

    private static void produce(String input) throws Exception {
        AvroSerializer<TextEvent> avro = ItSupport.textEventSerializer();
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(KafkaTestCluster.bootstrapServers())) {
            for (int i = 0; i < EVENTS; i++) {
                producer.send(new ProducerRecord<>(input, ("e" + i).getBytes(StandardCharsets.UTF_8),
                        avro.serialize(input, ItSupport.event("e" + i, TEXT_MARK + " " + ItSupport.text(i)))));
            }
            // Not Avro: dead-lettered, with a message that quotes what it read.
            producer.send(new ProducerRecord<>(input, "bad".getBytes(StandardCharsets.UTF_8),
                    (TEXT_MARK + " plain text").getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
    }
}
