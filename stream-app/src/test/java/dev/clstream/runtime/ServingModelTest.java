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
        List<ParityFile.Entry> entries = new ArrayList<>();
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults())) {
            for (String text : List.of("the cat sat", "the cat sat on the mat and ran to the dog ".repeat(8))) {
                TokenizedText t = engine.tokenize(text);
                Prediction p = engine.predict(List.of(t)).get(0);
                entries.add(new ParityFile.Entry(text, t.ids(), t.typeIds(), t.truncated(), widen(p.embedding()),
                        widen(p.classification().probabilities())));
            }
            assertEquals(4, engine.tokenize(entries.get(1).text()).windowCount(), "the long text needs every window");
        }
        new ParityFile("this test", "fp32", 1e-5, 1e-5, entries).write(bundle.directory().resolve(ParityFile.FILE_NAME));
        BundleManifest m = bundle.manifest();
        Map<String, String> files = new java.util.HashMap<>(m.files());
        files.put(ParityFile.FILE_NAME, "");
        return ModelBundle.write(bundle.directory(), m.withFiles(files));
    }

    private static double[] widen(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    @Test
    void fewerWindowsByTextMaxChunksStillPassTheParityRecordedWithAllOfThem() {
        ModelBundle bundle = chunkedWithParity();
        ClstreamConfig config = ClstreamConfig.of(Map.of(ClstreamConfig.TEXT_MAX_CHUNKS, "1",
                ClstreamConfig.MODEL_VERIFY, "true"));
        RuntimeHealth health = new RuntimeHealth(() -> KafkaStreams.State.RUNNING, () -> true, () -> 0L, 5_000, 3,
                60_000);
        try (Closer closer = new Closer()) {
            InferenceEngine engine = ServingModel.open(bundle, config, Hooks.NONE, health, closer);
            assertEquals(TextStrategy.chunks(1, 0), engine.manifest().text(), "served reading one window");
        }
    }
}
