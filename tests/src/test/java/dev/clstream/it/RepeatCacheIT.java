package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache of repeated texts on a real broker: 600 events, half of them three "campaign" texts and half drawn from
 * 60 others, through a cache of a few kilobytes (about ten entries of the tiny model), so that it both answers
 * repeats and evicts. Every event is labeled once; every event with the same text carries the same vector and
 * probabilities to the last bit, and they are what the engine computes for that text alone; the metrics count the
 * hits, misses and evictions, and the cache never held more than its bound.
 */
@ExtendWith(KafkaTestCluster.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RepeatCacheIT {
    static final int EVENTS = 600;
    static final long CACHE_BYTES = 3_000;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void repeatsGetTheFirstResultBitForBitAndTheCacheStaysWithinItsBytes() throws Exception {
        ItSupport.Topics topics = ItSupport.createAppTopics("cache", 2);
        String bootstrap = KafkaTestCluster.bootstrapServers();
        Path bundle = TestBundles.tiny(dir.resolve("tiny")).directory();
        Map<String, String> textOf = new LinkedHashMap<>();
        SplittableRandom rnd = new SplittableRandom(42);
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(bootstrap)) {
            for (int i = 0; i < EVENTS; i++) {
                String id = "c-" + i;
                String text = rnd.nextBoolean() ? "campaign " + rnd.nextInt(3) + " win a prize now"
                        : ItSupport.text(rnd.nextInt(60));
                textOf.put(id, text);
                producer.send(new ProducerRecord<>(topics.input(), id.getBytes(StandardCharsets.UTF_8),
                        JSON.writeValueAsBytes(Map.of("id", id, "text", text))));
            }
        }
        Map<String, String> s = ItSupport.jsonAppSettings(topics, "cache-app", dir.resolve("state"));
        s.put(ClstreamConfig.MODEL_BUNDLE, bundle.toString());
        s.put(ClstreamConfig.INFERENCE_CACHE_MAX_BYTES, Long.toString(CACHE_BYTES));
        try (OutputCollector out = new OutputCollector(bootstrap, topics.outputs());
             ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(s))) {
            ItSupport.awaitOrFail(120_000, () -> out.count(topics.labels()) >= EVENTS
                            && out.count(topics.embeddings()) >= EVENTS,
                    () -> "labels " + out.count(topics.labels()) + ", embeddings " + out.count(topics.embeddings())
                            + " of " + EVENTS);
            ItSupport.sleep(1_000); // nothing more may arrive

            Map<String, String> vectors = byText(out.records(topics.embeddings()), "vector", textOf);
            Map<String, String> probabilities = byText(out.records(topics.labels()), "probabilities", textOf);
            assertEquals(new LinkedHashSet<>(textOf.values()).size(), vectors.size());
            assertEquals(vectors.size(), probabilities.size());
            try (InferenceEngine alone = InferenceEngine.open(TestBundles.tiny(dir.resolve("ref")),
                    EncoderOptions.builder().concurrency(1).build())) {
                for (Map.Entry<String, String> e : vectors.entrySet()) {
                    Prediction p = alone.predict(List.of(alone.tokenize(e.getKey()))).get(0);
                    assertArrayEquals(p.embedding(), floats(JSON.readTree(e.getValue())), 1e-5f, e.getKey());
                }
            }

            String base = app.httpUrl().orElseThrow();
            PrometheusText metrics = PrometheusText.parse(Http.get(base + OpsRoutes.METRICS).body());
            double hits = metrics.value("clstream_inference_cache_hits_total");
            double misses = metrics.value("clstream_inference_cache_misses_total");
            assertEquals(EVENTS, hits + misses, "every event is a hit or a miss: " + hits + " + " + misses);
            assertTrue(hits >= EVENTS / 4.0, "the campaign texts repeat: hits " + hits);
            assertTrue(misses >= vectors.size(), "each text was encoded at least once: misses " + misses);
            assertTrue(metrics.value("clstream_inference_cache_evictions_total") > 0, "63 texts, room for about 10");
            assertTrue(metrics.value("clstream_inference_cache_bytes") <= CACHE_BYTES);
            assertTrue(metrics.value("clstream_inference_cache_bytes") > 0);
            assertEquals(CACHE_BYTES, metrics.value("clstream_inference_cache_max_bytes"));
        }
    }

    /**
     * Each text's {@code field} as JSON text (a float's shortest decimal form reads back to that float, so equal text
     * is equal bits), asserting that every event with that text and every event id once carried the same one.
     */
    private static Map<String, String> byText(List<ConsumerRecord<byte[], byte[]>> records, String field,
                                              Map<String, String> textOf) throws Exception {
        Map<String, String> byText = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            JsonNode v = JSON.readTree(r.value());
            String id = v.get("id").asText();
            seen.merge(id, 1, Integer::sum);
            String text = textOf.get(id);
            String value = v.get(field).toString();
            String first = byText.putIfAbsent(text, value);
            assertTrue(first == null || first.equals(value), field + " of '" + text + "' differs between its events: "
                    + first + " vs " + value);
        }
        RoundTripIT.assertExactlyOnce(field, Set.copyOf(textOf.keySet()), seen);
        return byText;
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).floatValue();
        }
        return out;
    }
}
