package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.http.OpsRoutes;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.testing.Http;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.PrometheusText;
import dev.clstream.testing.TestBundles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shadow model on a real broker: the serving tiny model and a shadow whose head was drawn from another seed (so
 * they agree on some texts and not on others), 25% of 800 events sampled. The labels topic holds only the serving
 * model's labels, each event once; each shadow result carries the serving model's label for its event and the
 * shadow's own label for the text; the metrics, the live page and the shadow topic agree on the counts, the
 * agreement and the confusion per label pair.
 */
@ExtendWith(KafkaTestCluster.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShadowModelIT {
    static final int EVENTS = 800;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theShadowComparesASampleAndNeverWritesLabels() throws Exception {
        ItSupport.Topics topics = ItSupport.createAppTopics("shadow", 2);
        String shadowTopic = KafkaTestCluster.uniqueName("shadow-results");
        ItSupport.createTopics(1, shadowTopic);
        String bootstrap = KafkaTestCluster.bootstrapServers();
        Path primary = TestBundles.tinyVersion(dir.resolve("primary"), "1.0.0", false).directory();
        Path candidate = TestBundles.tiny(dir.resolve("candidate"), m -> m,
                TestBundles.linearHead(TestBundles.TINY_LABELS.size(), 8, 99)).directory();
        Map<String, String> textOf = ItSupport.produceJsonEvents(topics.input(), EVENTS, "h-");
        Map<String, String> s = ItSupport.jsonAppSettings(topics, "shadow-app", dir.resolve("state"));
        s.put(ClstreamConfig.MODEL_BUNDLE, primary.toString());
        s.put(ClstreamConfig.MODEL_SHADOW_BUNDLE, candidate.toString());
        s.put(ClstreamConfig.MODEL_SHADOW_SAMPLE_RATE, "0.25");
        s.put(ClstreamConfig.SHADOW_TOPIC, shadowTopic);
        try (OutputCollector out = new OutputCollector(bootstrap, topics.labels(), shadowTopic);
             ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(s));
             InferenceEngine shadow = InferenceEngine.open(TestBundles.tiny(dir.resolve("reference"), m -> m,
                     TestBundles.linearHead(TestBundles.TINY_LABELS.size(), 8, 99)), EncoderOptions.defaults())) {
            ItSupport.awaitOrFail(120_000, () -> out.count(topics.labels()) >= EVENTS,
                    () -> "labels " + out.count(topics.labels()) + " of " + EVENTS);
            String metricsUrl = app.httpUrl().orElseThrow() + OpsRoutes.METRICS;
            // The shadow runs after the labels are written: wait until its count stops moving.
            int[] last = {-1};
            ItSupport.awaitOrFail(60_000, () -> {
                int now = out.count(shadowTopic);
                boolean still = now > 0 && now == last[0];
                last[0] = now;
                ItSupport.sleep(1_000);
                return still;
            }, () -> "shadow results kept coming: " + out.count(shadowTopic));

            Map<String, String> primaryLabel = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : out.records(topics.labels())) {
                JsonNode v = JSON.readTree(r.value());
                assertEquals("1.0.0", v.get("model_version").asText(), "only the serving model writes labels: " + v);
                assertTrue(primaryLabel.put(v.get("id").asText(), v.get("label").asText()) == null, "twice: " + v);
            }
            assertEquals(EVENTS, primaryLabel.size());

            Map<String, Long> confusion = new TreeMap<>();
            long agreed = 0;
            List<ConsumerRecord<byte[], byte[]>> results = out.records(shadowTopic);
            for (ConsumerRecord<byte[], byte[]> r : results) {
                JsonNode v = JSON.readTree(r.value());
                String id = v.get("id").asText();
                assertEquals(primaryLabel.get(id), v.get("primary_label").asText(), v.toString());
                assertEquals("tiny@1.0.0", v.get("primary_model").asText());
                String expected = shadow.predict(List.of(shadow.tokenize(textOf.get(id)))).get(0).classification()
                        .label();
                assertEquals(expected, v.get("shadow_label").asText(), "the shadow's own label for " + v);
                boolean agree = expected.equals(primaryLabel.get(id));
                assertEquals(agree, v.get("agree").asBoolean());
                agreed += agree ? 1 : 0;
                confusion.merge(primaryLabel.get(id) + " -> " + expected, 1L, Long::sum);
            }
            assertTrue(results.size() > EVENTS * 0.15 && results.size() < EVENTS * 0.35,
                    "about a quarter sampled: " + results.size());
            assertEquals(results.size(), results.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .distinct().count(), "each sampled event once");
            assertTrue(agreed > 0 && agreed < results.size(), "two heads that agree on some texts: " + confusion);

            PrometheusText m = PrometheusText.parse(Http.get(metricsUrl).body());
            Map<String, Long> metered = new TreeMap<>();
            m.all().forEach((series, value) -> {
                if (series.startsWith("clstream_shadow_predictions_total{")) {
                    metered.merge(tag(series, "primary") + " -> " + tag(series, "shadow"), value.longValue(),
                            Long::sum);
                }
            });
            assertEquals(confusion, metered, "the metric's confusion is the topic's");
            JsonNode live = JSON.readTree(Http.get(app.httpUrl().orElseThrow() + "/api/live").body()).get("shadow");
            assertEquals(results.size(), live.get("compared").asLong(), live.toString());
            assertEquals(agreed, live.get("agreed").asLong());
            assertEquals(0, live.get("skipped").asLong());
        }
    }

    private static String tag(String series, String name) {
        int at = series.indexOf(name + "=\"") + name.length() + 2;
        return series.substring(at, series.indexOf('"', at));
    }
}
