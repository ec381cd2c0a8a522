package dev.clstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.TextStrategy;
import dev.clstream.secrets.Secrets;
import dev.clstream.testing.TestBundles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClstreamConfigTest {

    private static ClstreamConfig of(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return ClstreamConfig.of(m);
    }

    private static String failure(String... kv) {
        return assertThrows(ConfigException.class, () -> of(kv)).getMessage();
    }

    @Test
    void defaultsAreExactlyOnceWithAvroAndAllOutputs() {
        ClstreamConfig c = of();
        assertEquals("clstream-input", c.inputTopic());
        assertTrue(c.labelsEnabled() && c.embeddingsEnabled());
        assertEquals("avro", c.inputFormat().code());
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, c.streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        MicroBatchSettings batch = c.microBatch();
        assertEquals(List.of(32, 4096, 50L, 3000L), List.of(batch.maxEvents(), batch.maxTokens(), batch.maxWaitMs(),
                batch.maxInferenceMs()));
        assertFalse(c.hasBootstrapServers());
    }

    @Test
    void textMaxChunksOnlyLowersTheWindowsOfABundleThatReadsInChunks(@TempDir Path dir) {
        ModelBundle chunked = TestBundles.tiny(dir.resolve("c")).withText(TextStrategy.chunks(4, 0));
        assertSame(chunked, of().servedBundle(chunked), "unset: the bundle as it is");
        assertEquals(TextStrategy.chunks(2, 0), of(ClstreamConfig.TEXT_MAX_CHUNKS, "2").servedBundle(chunked)
                .manifest().text());
        String above = assertThrows(ConfigException.class,
                () -> of(ClstreamConfig.TEXT_MAX_CHUNKS, "5").servedBundle(chunked)).getMessage();
        assertTrue(above.contains("text.max.chunks") && above.contains("1 to 4"), above);
        ModelBundle truncating = TestBundles.tiny(dir.resolve("t"));
        String notChunked = assertThrows(ConfigException.class,
                () -> of(ClstreamConfig.TEXT_MAX_CHUNKS, "2").servedBundle(truncating)).getMessage();
        assertTrue(notChunked.contains("text.max.chunks") && notChunked.contains("truncation"), notChunked);
        String range = failure(ClstreamConfig.TEXT_MAX_CHUNKS, "0");
        assertTrue(range.contains("text.max.chunks") && range.contains("at least 1"), range);
    }

    @Test
    void unknownKeysFailNamingTheKey() {
        String m = failure("batch.max.sise", "10");
        assertTrue(m.contains("'batch.max.sise'") && m.contains("batch.max.size"), m);
        assertTrue(failure("foo", "bar").contains("'foo'"));
    }

    @Test
    void badValuesFailNamingTheKeyAndWhatIsAllowed() {
        String format = failure(ClstreamConfig.INPUT_FORMAT, "xml");
        assertTrue(format.contains("input.format") && format.contains("avro") && format.contains("json")
                && format.contains("text"), format);
        String size = failure(ClstreamConfig.BATCH_MAX_SIZE, "0");
        assertTrue(size.contains("batch.max.size") && size.contains("at least 1"), size);
        assertTrue(failure(ClstreamConfig.BATCH_MAX_SIZE, "many").contains("batch.max.size"));
        String provider = failure(ClstreamConfig.INFERENCE_PROVIDER, "gpu");
        assertTrue(provider.contains("inference.provider") && provider.contains("cuda:<device number>"), provider);
        String topic = failure(ClstreamConfig.INPUT_TOPIC, "bad topic!");
        assertTrue(topic.contains("input.topic"), topic);
        String guarantee = failure("processing.guarantee", "exactly_once");
        assertTrue(guarantee.contains("processing.guarantee") && guarantee.contains("at_least_once"), guarantee);
        assertTrue(failure(ClstreamConfig.LABELS_ENABLED, "false", ClstreamConfig.EMBEDDINGS_ENABLED, "false")
                .contains("both false"));
        String cache = failure(ClstreamConfig.INFERENCE_CACHE_MAX_BYTES, "-1");
        assertTrue(cache.contains("inference.cache.max.bytes") && cache.contains("at least 0"), cache);
        String rate = failure(ClstreamConfig.MODEL_SHADOW_SAMPLE_RATE, "1.5");
        assertTrue(rate.contains("model.shadow.sample.rate") && rate.contains("no more than 1"), rate);
        String shadow = failure(ClstreamConfig.SHADOW_TOPIC, "shadow-results");
        assertTrue(shadow.contains("shadow.topic") && shadow.contains("model.shadow.bundle"), shadow);
        assertTrue(failure(ClstreamConfig.SHADOW_TOPIC, "bad topic!").contains("shadow.topic"));
    }

    @Test
    void avroAgainstARealClusterNeedsARegistry() {
        String m = failure("bootstrap.servers", "localhost:9092");
        assertTrue(m.contains("schema.registry.url"), m);
        of("bootstrap.servers", "localhost:9092", ClstreamConfig.INPUT_FORMAT, "json", ClstreamConfig.OUTPUT_FORMAT, "json");
    }

    @Test
    void kafkaKeysPassThroughAndSecretsAreRedacted() {
        ClstreamConfig c = of("bootstrap.servers", "b:9092", "schema.registry.url", "mock://x",
                "processing.guarantee", "at_least_once", "producer.linger.ms", "5", "num.stream.threads", "2",
                "sasl.jaas.config", "secret stuff", ClstreamConfig.BASIC_AUTH_USER_INFO, "u:p",
                "ssl.keystore.key", "-----BEGIN PRIVATE KEY-----", "producer.ssl.key.password", "pw",
                ClstreamConfig.SR_TRUSTSTORE_PASSWORD, "tpw");
        assertEquals("at_least_once", c.streamsProperties().get("processing.guarantee"));
        assertEquals("5", c.streamsProperties().get("producer.linger.ms"));
        assertEquals(Secrets.REDACTED, c.redacted().get("sasl.jaas.config"));
        assertEquals(Secrets.REDACTED, c.redacted().get(ClstreamConfig.BASIC_AUTH_USER_INFO));
        assertEquals("u:p", c.registry().userInfo().value());
        assertEquals(Secrets.REDACTED, c.redacted().get("ssl.keystore.key"));
        assertEquals(Secrets.REDACTED, c.redacted().get("producer.ssl.key.password"));
        assertEquals(Secrets.REDACTED, c.redacted().get(ClstreamConfig.SR_TRUSTSTORE_PASSWORD));
        assertEquals("b:9092", c.redacted().get("bootstrap.servers"));
        assertEquals("5", c.redacted().get("producer.linger.ms"));
    }

    @Test
    void liveTextsAreShownOnlyInEmbeddedModeUnlessSet() {
        assertTrue(of().live().showTexts(true));
        assertFalse(of().live().showTexts(false), "a real cluster's app serves whoever reaches its port");
        assertTrue(of(ClstreamConfig.LIVE_SHOW_TEXTS, "true").live().showTexts(false));
        assertFalse(of(ClstreamConfig.LIVE_SHOW_TEXTS, "false").live().showTexts(true));
        String m = failure(ClstreamConfig.LIVE_SHOW_TEXTS, "yes");
        assertTrue(m.contains(ClstreamConfig.LIVE_SHOW_TEXTS) && m.contains("true") && m.contains("false"), m);
    }

    @Test
    void theHttpTokenIsASecretThatNeverShows() {
        ClstreamConfig c = of(ClstreamConfig.HTTP_AUTH_TOKEN, "tok-7761");
        assertEquals("tok-7761", c.http().authToken());
        assertEquals(Secrets.REDACTED, c.redacted().get(ClstreamConfig.HTTP_AUTH_TOKEN));
        assertFalse(c.http().toString().contains("tok-7761"), c.http().toString());
        assertEquals(null, of().http().authToken());
        assertEquals("tok-7762", of(ClstreamConfig.HTTP_AUTH_TOKEN, "tok-7762\n").http().authToken(),
                "a token read from a file (a Secret made with --from-file) keeps no newline: ConfigDef trims it");
    }

    @Test
    void httpBindsToLoopbackInEmbeddedModeUnlessSet() {
        ClstreamConfig defaults = of();
        assertTrue(defaults.http().enabled());
        assertEquals(8080, defaults.http().port());
        assertEquals("127.0.0.1", defaults.http().bindAddress(true));
        assertEquals("0.0.0.0", defaults.http().bindAddress(false));
        assertEquals("0.0.0.0", of(ClstreamConfig.HTTP_BIND_ADDRESS, "0.0.0.0").http().bindAddress(true));
        assertEquals(0, of(ClstreamConfig.HTTP_PORT, "0").http().port());
        String port = failure(ClstreamConfig.HTTP_PORT, "70000");
        assertTrue(port.contains("http.port") && port.contains("65535"), port);
        String address = failure(ClstreamConfig.HTTP_BIND_ADDRESS, "local host");
        assertTrue(address.contains("http.bind.address") && address.contains("IP address"), address);
    }

    @Test
    void sourcesMergeFileThenEnvironmentThenCommandLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("clstream.properties");
        Files.writeString(file, "batch.max.size=10\ninput.topic=from-file\nlabels.topic=file-labels\n");
        Map<String, String> env = Map.of("CLSTREAM_BATCH_MAX_SIZE", "20", "CLSTREAM_DEAD_LETTER_TOPIC", "env-dlq",
                "CLSTREAM_BUNDLES_DIR", "/not/a/key", "PATH", "/usr/bin");
        Map<String, String> merged = ConfigSources.merge(file, env, Map.of("batch.max.size", "30"));
        ClstreamConfig c = ClstreamConfig.of(merged);
        assertEquals(30, c.microBatch().maxEvents());
        assertEquals("from-file", c.inputTopic());
        assertEquals("env-dlq", c.deadLetterTopic());
        assertFalse(merged.containsKey("bundles.dir"));
    }

    /** Every key the app reads is in the README's configuration tables. */
    @Test
    void everyKeyIsDocumented() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        for (String key : ClstreamConfig.DEFINITION.names()) {
            assertTrue(readme.contains("`" + key + "`"), key + " is not documented in README.md");
        }
    }

    /**
     * The README's tables give each key's default (the configuration table, and the topics table for the topic
     * names): where they give a value, it is the one the app uses. Defaults described in words ("per provider",
     * "see above") must be one of the few descriptions the README uses, so that a literal value is never skipped.
     */
    @Test
    void everyDefaultTheReadmeGivesIsTheRealOne() throws IOException {
        Set<String> described = Set.of("see above", "built-in default", "per provider", "none");
        Matcher row = Pattern.compile("(?m)^\\| (`[a-z][^|]*`) \\| ([^|]+) \\|").matcher(
                Files.readString(Path.of("../README.md")));
        Map<String, String> documented = new TreeMap<>();
        while (row.find()) {
            List<String> keys = new ArrayList<>();
            Matcher key = Pattern.compile("`([a-z][a-z0-9.]*)`").matcher(row.group(1));
            while (key.find()) {
                keys.add(key.group(1));
            }
            String[] cells = row.group(2).trim().split(" / ");
            for (int i = 0; i < keys.size(); i++) {
                if (ClstreamConfig.DEFINITION.names().contains(keys.get(i))) {
                    // A value wins over a description ("see above") from another table.
                    documented.merge(keys.get(i), (cells.length == keys.size() ? cells[i] : row.group(2)).trim(),
                            (before, now) -> described.contains(now) ? before : now);
                }
            }
        }
        assertTrue(documented.size() >= 30, "default cells read from the README: " + documented);
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> e : documented.entrySet()) {
            String cell = e.getValue();
            if (described.contains(cell) || cell.startsWith("(")) {
                continue;
            }
            // The value itself: `avro`, 32, `0.0.0.0` (`127.0.0.1` in embedded mode) -> 0.0.0.0
            String value = cell.replaceFirst("^`([^`]*)`.*$", "$1").replaceFirst(" .*$", "");
            Object real = ClstreamConfig.DEFINITION.configKeys().get(e.getKey()).defaultValue;
            if (e.getKey().equals(ClstreamConfig.HTTP_BIND_ADDRESS)) {
                real = of().http().bindAddress(false); // empty: decided by the mode, this is a real cluster's
            }
            if (!value.equals(String.valueOf(real))) {
                wrong.add(e.getKey() + ": README says " + cell + ", the app's default is " + real);
            }
        }
        assertEquals(List.of(), wrong);
    }
}
