package dev.clstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.ServingEngine;
import dev.clstream.testing.TestBundles;
import dev.clstream.testing.TopologyFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new model version swapped in while events wait in a micro-batch: the batch that flushes after the swap is
 * computed by the new version alone (the waiting events tokenised again by it), its outputs name it, and the old
 * version is closed once the task has moved.
 */
class ModelSwapTopologyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theBatchAfterASwapIsTheNewVersionsAndTheOldOneIsFreed(@TempDir Path dir) throws IOException {
        EncoderOptions options = EncoderOptions.builder().concurrency(1).build();
        InferenceEngine v1 = InferenceEngine.open(TestBundles.tinyVersion(dir.resolve("v1"), "1.0.0", false), options);
        InferenceEngine v2 = InferenceEngine.open(TestBundles.tinyVersion(dir.resolve("v2"), "2.0.0", true), options);
        String text = "the cat sat on the mat";
        String v1Label = v1.predict(List.of(v1.tokenize(text))).get(0).classification().label();
        String v2Label = v2.predict(List.of(v2.tokenize(text))).get(0).classification().label();
        assertFalse(v1Label.equals(v2Label), "the versions label the text differently");
        try (ServingEngine serving = ServingEngine.owning(v1);
             TopologyFixture h = TopologyFixture.over(serving).set(ClstreamConfig.BATCH_MAX_SIZE, "3",
                     ClstreamConfig.BATCH_MAX_WAIT_MS, "60000").build()) {
            for (int i = 0; i < 3; i++) {
                h.send("a" + i, event("a" + i, text));
            }
            h.send("b0", event("b0", text)); // waits in the next batch, tokenised by version 1
            serving.swap(v2);
            assertTrue(v1.isOpen(), "the task still holds version 1 between its batches");
            h.send("b1", event("b1", text));
            h.send("b2", event("b2", text));

            List<TestRecord<byte[], byte[]>> labels = h.labels().readRecordsToList();
            assertEquals(6, labels.size());
            for (TestRecord<byte[], byte[]> r : labels) {
                JsonNode v = JSON.readTree(r.value());
                boolean before = v.get("id").asText().startsWith("a");
                assertEquals(before ? "1.0.0" : "2.0.0", v.get("model_version").asText(), v.toString());
                assertEquals(before ? v1Label : v2Label, v.get("label").asText(), v.toString());
                assertEquals(before ? "1.0.0" : "2.0.0",
                        new String(r.headers().lastHeader(OutputWriter.MODEL_VERSION_HEADER).value()));
            }
            assertFalse(v1.isOpen(), "version 1 is freed once the task moved to version 2");
            h.driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
        assertFalse(v2.isOpen());
    }

    private static String event(String id, String text) {
        return JSON.createObjectNode().put("id", id).put("text", text).toString();
    }
}
