package dev.clstream.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.ParityFile;
import dev.clstream.bundle.TextStrategy;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Prediction;
import dev.clstream.testing.TestBundles;
import dev.clstream.topology.PipelineListener;
import dev.clstream.tokenize.TokenizedText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The served model: its parity check runs on the bundle as its parity.json was recorded. */
class ServingModelTest {
    @TempDir
    Path dir;

    /** The tiny bundle reading up to 4 windows, with a parity.json recorded by the engine: one long text among them. */
    private ModelBundle chunkedWithParity() {
        ModelBundle bundle = TestBundles.tiny(dir.resolve("tiny")).withText(TextStrategy.chunks(4, 0));
        String longText = "the cat sat on the mat and ran to the dog ".repeat(8);
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults())) {
            assertEquals(4, engine.tokenize(longText).windowCount(), "the long text needs every window");
        }
        return TestBundles.withParity(bundle, List.of("the cat sat", longText), 0);
    }

    @Test
    void fewerWindowsByTextMaxChunksStillPassTheParityRecordedWithAllOfThem() {
        ModelBundle bundle = chunkedWithParity();
        ClstreamConfig config = ClstreamConfig.of(Map.of(ClstreamConfig.TEXT_MAX_CHUNKS, "1",
                ClstreamConfig.MODEL_VERIFY, "true", ClstreamConfig.MODEL_BUNDLE, bundle.directory().toString()));
        RuntimeHealth health = new RuntimeHealth(() -> KafkaStreams.State.RUNNING, () -> true, () -> 0L, 5_000, 3,
                60_000);
        try (ServingModel model = ServingModel.locate(config, Hooks.NONE)) {
            InferenceEngine engine = model.start(health, PipelineListener.NONE).current();
            assertEquals(TextStrategy.chunks(1, 0), engine.manifest().text(), "served reading one window");
        }
    }
}
