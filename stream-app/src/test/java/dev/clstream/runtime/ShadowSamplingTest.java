package dev.clstream.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.testing.TestBundles;
import dev.clstream.topology.PipelineListener;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shadow model samples events by id: about the configured share, the same ids every time. */
class ShadowSamplingTest {
    @Test
    void aboutTheConfiguredShareOfIdsIsSampledAndAlwaysTheSameOnes(@TempDir Path dir) {
        Path bundle = TestBundles.tiny(dir.resolve("tiny")).directory();
        for (double rate : new double[] {0.0, 0.1, 0.5, 1.0}) {
            ClstreamConfig config = ClstreamConfig.of(Map.of(ClstreamConfig.MODEL_SHADOW_BUNDLE, bundle.toString(),
                    ClstreamConfig.MODEL_SHADOW_SAMPLE_RATE, Double.toString(rate)));
            try (ShadowModel shadow = ShadowModel.start(config, PipelineListener.NONE)) {
                // Ids as streams name them: a prefix and a sequence number, which must not all hash alike.
                long sampled = IntStream.range(0, 20_000).filter(i -> shadow.sampled("event-" + i)).count();
                assertEquals(rate * 20_000, sampled, 20_000 * 0.01 + 1, "rate " + rate);
                assertTrue(IntStream.range(0, 500).allMatch(i -> shadow.sampled("event-" + i)
                        == shadow.sampled("event-" + i)));
            }
        }
    }
}
