package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.http.OpsRoutes;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Prediction;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.testing.Http;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.PrometheusText;
import dev.clstream.testing.TestBundles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model versions swapped under load on a real broker, exactly-once: the app serves a model repository holding
 * version 1.0.0 while events arrive at a steady rate; version 2.0.0 (its head negated, so it labels every text the
 * other way) is renamed in and swapped in mid-stream; 3.0.0 (a file changed after its checksums were taken) and
 * 3.1.0 (a parity.json its outputs do not match) are refused while 2.0.0 goes on serving; then 2.0.0 is removed and
 * the app rolls back to 1.0.0. Every event is labeled and embedded once; each output names the version that computed
 * it and equals what that version computes for the text alone; per input partition the versions follow the swaps in
 * order (1.0.0, 2.0.0, 1.0.0), never mixed.
 */
@ExtendWith(KafkaTestCluster.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ModelSwapIT {
    static final int EVENTS = 4_000;
    static final int PER_SECOND = 150;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void versionsSwapUnderLoadRefusedOnesNeverServeAndEveryEventIsComputedByOneVersionOnce() throws Exception {
        ItSupport.Topics topics = ItSupport.createAppTopics("swap", 2);
        String bootstrap = KafkaTestCluster.bootstrapServers();
        Path repo = dir.resolve("repo");
        TestBundles.tinyVersion(repo.resolve("1.0.0"), "1.0.0", false);
        Map<String, String> s = ItSupport.jsonAppSettings(topics, "swap-app", dir.resolve("state"));
        s.put(ClstreamConfig.MODEL_BUNDLE, repo.toString());
        s.put(ClstreamConfig.MODEL_RELOAD_INTERVAL_MS, "200");
        SteadyProducer producer = new SteadyProducer(bootstrap, EVENTS, PER_SECOND, i -> {
            String id = "s-" + i;
            return new ProducerRecord<>(topics.input(), id.getBytes(StandardCharsets.UTF_8),
                    ("{\"id\":\"" + id + "\",\"text\":\"" + ItSupport.text(i % 300) + "\"}").getBytes(StandardCharsets.UTF_8));
        });
        try (OutputCollector out = new OutputCollector(bootstrap, topics.outputs());
             ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(s))) {
            String metrics = app.httpUrl().orElseThrow() + OpsRoutes.METRICS;
            String info = app.httpUrl().orElseThrow() + OpsRoutes.INFO;
            producer.start();
            awaitLabels(out, topics, 600);

            publish(dir, repo, "2.0.0", v -> TestBundles.tinyVersion(v, "2.0.0", true));
            awaitServing(metrics, "2.0.0");
            awaitLabels(out, topics, out.count(topics.labels()) + 600);

            publish(dir, repo, "3.0.0", v -> {
                ModelBundle bad = TestBundles.tinyVersion(v, "3.0.0", false);
                append(bad.directory().resolve(BundleManifest.TOKENIZER_FILE));
                return bad;
            });
            awaitRefused(metrics, 1);
            publish(dir, repo, "3.1.0", v -> TestBundles.withParity(TestBundles.tinyVersion(v, "3.1.0", false),
                    List.of("the cat sat", "a dog ran to the cat"), 0.5));
            awaitRefused(metrics, 2);
            JsonNode model = JSON.readTree(Http.get(info).body()).get("model");
            assertEquals("2.0.0", model.get("version").asText(), "the refused versions never served");
            assertTrue(model.get("refused_versions").get("3.0.0").asText().contains("checksum mismatch"),
                    model.toString());
            assertTrue(model.get("refused_versions").get("3.1.0").asText().contains("parity"), model.toString());
            awaitLabels(out, topics, out.count(topics.labels()) + 300);

            // Roll back: remove the newest good version; the refused ones stay refused.
            deleteTree(repo.resolve("2.0.0"));
            awaitServing(metrics, "1.0.0");
            producer.finish();
            producer.await(120_000);
            int sent = producer.sent();
            ItSupport.awaitOrFail(120_000, () -> out.count(topics.labels()) >= sent
                            && out.count(topics.embeddings()) >= sent,
                    () -> "labels " + out.count(topics.labels()) + ", embeddings " + out.count(topics.embeddings())
                            + " of " + sent);
            ItSupport.sleep(1_000); // nothing more may arrive
            PrometheusText m = PrometheusText.parse(Http.get(metrics).body());
            assertEquals(2, m.value("clstream_model_reloads_total{result=\"swapped\"}"), "1.0.0 -> 2.0.0 -> 1.0.0");
            assertEquals(2, m.value("clstream_model_reloads_total{result=\"refused\"}"));

            verify(sent, topics, out);
        }
    }

    /** Every output once, computed by the version it names, and each input partition's versions in swap order. */
    private void verify(int sent, ItSupport.Topics topics, OutputCollector out) throws Exception {
        Map<String, InferenceEngine> reference = new TreeMap<>();
        try (InferenceEngine v1 = engine("1.0.0", false); InferenceEngine v2 = engine("2.0.0", true)) {
            reference.put("1.0.0", v1);
            reference.put("2.0.0", v2);
            Map<String, String> textOf = new HashMap<>();
            Map<String, String> versionOf = new HashMap<>();
            Set<String> ids = new LinkedHashSet<>();
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> inputByPartition = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : ItSupport.readAll(topics.input(), sent)) {
                JsonNode v = JSON.readTree(r.value());
                ids.add(v.get("id").asText());
                textOf.put(v.get("id").asText(), v.get("text").asText());
                inputByPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r);
            }
            Map<String, Integer> labeled = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : out.records(topics.labels())) {
                JsonNode v = JSON.readTree(r.value());
                String id = v.get("id").asText();
                labeled.merge(id, 1, Integer::sum);
                String version = v.get("model_version").asText();
                versionOf.put(id, version);
                InferenceEngine e = reference.get(version);
                assertTrue(e != null, "an output of version " + version + ": " + v);
                Prediction p = e.predict(List.of(e.tokenize(textOf.get(id)))).get(0);
                assertEquals(p.classification().label(), v.get("label").asText(), "version " + version + ", " + v);
                assertEquals(p.classification().score(), v.get("score").floatValue(), 1e-5f, v.toString());
            }
            RoundTripIT.assertExactlyOnce("labels", ids, labeled);
            Map<String, Integer> embedded = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : out.records(topics.embeddings())) {
                JsonNode v = JSON.readTree(r.value());
                String id = v.get("id").asText();
                embedded.merge(id, 1, Integer::sum);
                String version = v.get("model_version").asText();
                assertEquals(versionOf.get(id), version, "the label and the embedding of " + id);
                InferenceEngine e = reference.get(version);
                float[] expected = e.predict(List.of(e.tokenize(textOf.get(id)))).get(0).embedding();
                float[] got = new float[expected.length];
                for (int i = 0; i < got.length; i++) {
                    got[i] = v.get("vector").get(i).floatValue();
                }
                assertArrayEquals(expected, got, 1e-5f, v.toString());
            }
            RoundTripIT.assertExactlyOnce("embeddings", ids, embedded);
            List<String> order = List.of("1.0.0", "2.0.0", "1.0.0");
            Set<String> seen = new LinkedHashSet<>();
            for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> e : inputByPartition.entrySet()) {
                List<String> runs = new ArrayList<>();
                e.getValue().stream().sorted(Comparator.comparingLong(ConsumerRecord::offset)).forEach(r -> {
                    String version = versionOf.get(new String(r.key(), StandardCharsets.UTF_8));
                    seen.add(version);
                    if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(version)) {
                        runs.add(version);
                    }
                });
                assertTrue(java.util.Collections.indexOfSubList(order, runs) >= 0,
                        "partition " + e.getKey() + ": versions in input order " + runs);
            }
            assertEquals(Set.of("1.0.0", "2.0.0"), seen, "both versions labeled events");
        }
    }

    private InferenceEngine engine(String version, boolean flipped) {
        return InferenceEngine.open(TestBundles.tinyVersion(dir.resolve("reference-" + version), version, flipped),
                EncoderOptions.builder().concurrency(1).build());
    }

    /** Writes a version outside the repository, then renames it in: the way the README says to publish one. */
    private static void publish(Path work, Path repo, String version, java.util.function.Function<Path, ModelBundle> make)
            throws Exception {
        Path staging = work.resolve("staging-" + version);
        make.apply(staging);
        Files.move(staging, repo.resolve(version), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void append(Path file) {
        try {
            Files.writeString(file, " ", StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void awaitLabels(OutputCollector out, ItSupport.Topics topics, int n) {
        ItSupport.awaitOrFail(60_000, () -> out.count(topics.labels()) >= n,
                () -> "labels " + out.count(topics.labels()) + " of " + n);
    }

    private static void awaitServing(String metrics, String version) {
        String series = "clstream_model_info{model=\"tiny\",version=\"" + version + "\"}";
        ItSupport.awaitOrFail(60_000, () -> PrometheusText.parse(Http.get(metrics).body()).valueOr(series, 0) == 1,
                () -> series + " did not become 1");
    }

    private static void awaitRefused(String metrics, int n) {
        String series = "clstream_model_reloads_total{result=\"refused\"}";
        ItSupport.awaitOrFail(60_000, () -> PrometheusText.parse(Http.get(metrics).body()).valueOr(series, 0) >= n,
                () -> series + " did not reach " + n);
    }
}
