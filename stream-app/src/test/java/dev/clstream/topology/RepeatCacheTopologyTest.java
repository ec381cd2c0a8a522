package dev.clstream.topology;

import static dev.clstream.testing.TopologyFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.testing.TestBundles;
import dev.clstream.testing.TopologyFixture;
import dev.clstream.tokenize.TokenizedText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batcher with the engine's cache of repeated texts: repeats cost its time budget nothing and match the first. */
class RepeatCacheTopologyTest {
    private static final long NANOS_PER_TOKEN = 5_000_000;

    @Test
    void cachedTextsDoNotCountAgainstTheInferenceBudgetAndGetTheFirstResult(@TempDir Path dir) {
        // An encoder that costs 5 ms a token: a 200 ms budget lets only a few texts of some 10 tokens through a flush.
        EncoderOptions slow = EncoderOptions.builder().concurrency(1).optCacheMaxBytes(1 << 20)
                .optRunInterceptor(RepeatCacheTopologyTest::sleepPerToken).build();
        List<Integer> flushes = new ArrayList<>();
        PipelineListener flushSizes = new PipelineListener() {
            @Override
            public void microBatch(int events, long tokens, long paddedTokens, long inferenceNanos) {
                flushes.add(events);
            }
        };
        try (InferenceEngine engine = InferenceEngine.open(TestBundles.tiny(dir), slow);
             TopologyFixture h = TopologyFixture.over(engine).listener(flushSizes).set(
                     ClstreamConfig.BATCH_MAX_SIZE, "10", ClstreamConfig.BATCH_MAX_INFERENCE_MS, "200",
                     ClstreamConfig.BATCH_MAX_TOKENS, "100000", ClstreamConfig.BATCH_MAX_WAIT_MS, "60000").build()) {
            h.send("e0", event(0));
            h.driver.advanceWallClockTime(Duration.ofMinutes(2));
            for (int i = 1; i <= 10; i++) {
                h.send("e" + i, event(i));
            }

            assertEquals(List.of(1, 10), flushes, "the ten repeats went in one flush: the cache answers them all");
            List<String> vectors = h.embeddings().readValuesToList().stream()
                    .map(v -> json(v).get("vector").toString()).toList();
            assertEquals(11, vectors.size());
            // JSON writes each float in the shortest form that reads back to the same float: equal text, equal bits.
            assertEquals(Set.of(vectors.get(0)), Set.copyOf(vectors), "every repeat's vector is the first one's");
            List<String> probabilities = h.labels().readValuesToList().stream()
                    .map(v -> json(v).get("probabilities").toString()).toList();
            assertEquals(11, probabilities.size());
            assertEquals(Set.of(probabilities.get(0)), Set.copyOf(probabilities));
            assertEquals(10, engine.cache().hits());
        }
    }

    private static String event(int i) {
        return "{\"id\":\"e" + i + "\",\"text\":\"the cat sat on the mat and the dog\"}";
    }

    private static void sleepPerToken(List<TokenizedText> batch) {
        long tokens = batch.stream().mapToLong(TokenizedText::length).sum();
        try {
            Thread.sleep(tokens * NANOS_PER_TOKEN / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
