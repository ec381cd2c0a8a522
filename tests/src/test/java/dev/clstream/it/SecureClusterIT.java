package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clstream.it.ChildApp.Done;
import dev.clstream.testing.TestBundles;
import dev.clstream.testing.TlsFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's security example, as a user of a secured deployment runs it: a KRaft cluster whose only client
 * listener is SASL_SSL (PLAIN over TLS, with a certificate made in the test), and a Schema Registry reached over https
 * with HTTP basic auth and a private trust store. {@code topics}, {@code run}, {@code produce} and {@code tail} all use
 * the README's properties file, its placeholders replaced, and nothing else but topic sizes, the tiny bundle and (for
 * {@code run}) a free HTTP port and a state directory:
 * events go in as Avro, come out labeled, and no password appears in any output. With a wrong Kafka password, or
 * without the registry's credentials, the commands fail and say why.
 */
@ExtendWith(SchemaRegistryServer.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SecureClusterIT {
    static final String KAFKA_PASSWORD = "kafka-pw-5190";
    static final String REGISTRY_PASSWORD = "registry-pw-6274";
    static final String TLS_PASSWORD = "tls-pw-3318";
    static final int EVENTS = 10;
    /** The fenced block after the README's "### Security" heading. */
    static final Pattern EXAMPLE = Pattern.compile("### Security[\\s\\S]*?```properties\\n([\\s\\S]*?)```");

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void everyCommandWorksOverSaslSslWithAnHttpsRegistryBehindBasicAuth() throws Exception {
        TlsFiles tls = TlsFiles.create(dir.resolve("tls"), TLS_PASSWORD);
        try (SaslSslCluster kafka = SaslSslCluster.start(tls, Map.of("clstream", KAFKA_PASSWORD));
             RegistryFaultProxy registry = RegistryFaultProxy.secure(SchemaRegistryServer.url(), tls.serverContext(),
                     "clstream:" + REGISTRY_PASSWORD)) {
            String example = readmeExample();
            Path config = write("client.properties", example, kafka, registry, tls, KAFKA_PASSWORD, REGISTRY_PASSWORD);
            String c = config.toString();

            Done created = ChildApp.runToEnd(dir, null, List.of("topics", "create", "-c", c, "--partitions", "2",
                    "--replication-factor", "1"), Map.of());
            assertEquals(0, created.status(), created.output());
            Done described = ChildApp.runToEnd(dir, null, List.of("topics", "describe", "-c", c), Map.of());
            assertEquals(0, described.status(), described.output());

            Path bundle = TestBundles.tiny(dir.resolve("tiny")).directory();
            Path appLog = dir.resolve("run.log");
            Process app = ChildApp.start(ChildApp.command(dir, List.of("-Xmx256m"), List.of("run", "-c", c, "--bundle",
                    bundle.toString()), Map.of("http.port", "0", "state.dir", dir.resolve("state").toString())),
                    appLog);
            children.add(app);

            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < EVENTS; i++) {
                lines.append("{\"id\": \"secure-").append(i).append("\", \"text\": \"").append(ItSupport.text(i))
                        .append("\"}\n");
            }
            Done produced = ChildApp.runToEnd(dir, lines.toString(), List.of("produce", "-c", c), Map.of());
            assertEquals(0, produced.status(), produced.output());

            Done tailed = ChildApp.runToEnd(dir, null, List.of("tail", "labels", "-c", c, "--from-beginning", "--max",
                    Integer.toString(EVENTS)), Map.of());
            assertEquals(0, tailed.status(), tailed.output() + "\nthe app's log:\n" + ItSupport.tail(appLog, 40));
            Set<String> ids = tailed.objects().stream().map(o -> o.get("id").asText())
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> expected = new TreeSet<>();
            for (int i = 0; i < EVENTS; i++) {
                expected.add("secure-" + i);
            }
            assertEquals(expected, ids, "every event labeled, read back through the https registry");
            for (JsonNode o : tailed.objects()) {
                assertTrue(o.has("label") && o.has("model_version"), o.toString());
            }
            assertTrue(app.isAlive(), "run still runs: " + ItSupport.tail(appLog, 40));
            assertEquals(0, registry.refused(), "every registry request carried the credentials");

            // The wrong Kafka password: refused by the broker, said so, and not echoed.
            Path wrongKafka = write("wrong-kafka.properties", example, kafka, registry, tls, "not-" + KAFKA_PASSWORD,
                    REGISTRY_PASSWORD);
            Done refused = ChildApp.runToEnd(dir, null, List.of("topics", "describe", "-c", wrongKafka.toString()),
                    Map.of());
            assertNotEquals(0, refused.status(), refused.output());
            assertTrue(refused.output().contains("Authentication failed"), refused.output());
            // Without the registry's credentials: produce cannot register the schema, and says why.
            Path noRegistryAuth = write("no-registry-auth.properties", example, kafka, registry, tls, KAFKA_PASSWORD,
                    REGISTRY_PASSWORD);
            Files.writeString(noRegistryAuth,
                    Files.readString(noRegistryAuth).replaceAll("(?m)^basic\\.auth\\..*\\n", ""));
            Done unauthorized = ChildApp.runToEnd(dir, "one more\n",
                    List.of("produce", "-c", noRegistryAuth.toString()), Map.of());
            assertNotEquals(0, unauthorized.status(), unauthorized.output());
            assertTrue(unauthorized.output().contains("answered HTTP 401"), unauthorized.output());
            assertTrue(registry.refused() > 0, "the proxy refused the request without credentials");

            ChildApp.signal(app, "TERM");
            assertEquals(ChildApp.SIGTERM_EXIT, ChildApp.awaitExit(app, 60, appLog));
            String everything = String.join("\n", Files.readString(appLog, StandardCharsets.UTF_8), created.output(),
                    described.output(), produced.output(), tailed.output(), refused.output(), unauthorized.output());
            for (String secret : List.of(KAFKA_PASSWORD, REGISTRY_PASSWORD, TLS_PASSWORD)) {
                assertFalse(everything.contains(secret), "a password in the output: " + secret);
            }
        }
    }

    /** The README's example, as a user copies it. */
    static String readmeExample() throws Exception {
        String readme = Files.readString(ExternalTools.repoRoot().resolve("README.md"), StandardCharsets.UTF_8);
        Matcher m = EXAMPLE.matcher(readme);
        assertTrue(m.find(), "README.md has a ```properties block under ### Security");
        return m.group(1);
    }

    /** The example with its placeholders replaced by this cluster's, registry's and trust store's. */
    private Path write(String name, String example, SaslSslCluster kafka, RegistryFaultProxy registry, TlsFiles tls,
                       String kafkaPassword, String registryPassword) throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("kafka-1.example.com:9093,kafka-2.example.com:9093", kafka.bootstrapServers());
        values.put("https://registry.example.com:8081", registry.url());
        values.put("/etc/clstream/tls/truststore.p12", tls.trustStore().toString());
        values.put("TRUSTSTORE-PASSWORD", tls.password());
        values.put("KAFKA-PASSWORD", kafkaPassword);
        values.put("REGISTRY-PASSWORD", registryPassword);
        String text = example;
        for (Map.Entry<String, String> e : values.entrySet()) {
            assertTrue(text.contains(e.getKey()), "the README's example has the placeholder " + e.getKey());
            text = text.replace(e.getKey(), e.getValue());
        }
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }
}
