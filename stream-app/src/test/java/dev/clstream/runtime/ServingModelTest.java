package dev.clstream.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ClassifierHead;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.ParityFile;
import dev.clstream.bundle.TextStrategy;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Prediction;
import dev.clstream.inference.ServingEngine;
import dev.clstream.testing.TestBundles;
import dev.clstream.topology.PipelineListener;
import dev.clstream.tokenize.TokenizedText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served model: its parity check runs on the bundle as its parity.json was recorded; a repository's new version
 * with more heads swaps in.
 */
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

    /**
     * A version that adds heads after the same primary (what {@code train-head --add-to} writes) swaps in without a
     * restart; one whose primary head has other labels is refused, since the label statistics and meters key on them.
     */
    @Test
    void aVersionWithMoreHeadsSwapsInAndOneWithAnotherPrimaryIsRefused() throws Exception {
        Path repo = dir.resolve("repo");
        TestBundles.tinyVersion(repo.resolve("1.0.0"), "1.0.0", false);
        ClstreamConfig config = ClstreamConfig.of(Map.of(ClstreamConfig.MODEL_BUNDLE, repo.toString(),
                ClstreamConfig.MODEL_RELOAD_INTERVAL_MS, "100"));
        try (ServingModel model = ServingModel.locate(config, Hooks.NONE)) {
            ServingEngine serving = model.start(null, PipelineListener.NONE);
            assertEquals(1, serving.current().manifest().heads().size());
            // 1.2.0 first: 1.1.0 serves only once the higher 1.2.0 is refused, whenever the polls fall.
            version(repo, "1.2.0", List.of(TestBundles.TINY_HEADS.get(1), TestBundles.TINY_HEADS.get(0)));
            version(repo, "1.1.0", TestBundles.TINY_HEADS);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!serving.current().manifest().version().equals("1.1.0") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals("1.1.0", serving.current().manifest().version(), "refused: " + model.refused());
            assertEquals(TestBundles.TINY_HEADS, serving.current().manifest().heads());
            String why = model.refused().get("1.2.0");
            assertTrue(why != null && why.contains("[billing, shipping, other]") && why.contains("needs a restart"),
                    String.valueOf(model.refused()));
        }
    }

    /** Writes version {@code version} of the tiny model with {@code heads} beside {@code repo}, then renames it in. */
    private static void version(Path repo, String version, List<ClassifierHead> heads) throws Exception {
        Path staging = repo.resolveSibling("." + version);
        ModelBundle one = TestBundles.tinyVersion(staging, version, false);
        ModelBundle.write(staging, one.manifest().withHeads(heads));
        Files.move(staging, repo.resolve(version));
    }
}
