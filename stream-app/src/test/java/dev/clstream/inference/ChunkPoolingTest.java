package dev.clstream.inference;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.LogitsSource;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.TextStrategy;
import dev.clstream.testing.TestBundles;
import dev.clstream.tokenize.TokenizedText;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle that reads long texts in chunks: the text's vector is the mean of its windows' h_0, the head reads that
 * vector, and neither depends on how the windows were batched or which texts came along.
 */
class ChunkPoolingTest {
    private static final float EPS = 1e-5f;

    @TempDir
    Path dir;

    /** The tiny bundle (max length 32: 30 tokens of text per window) reading up to 4 windows. */
    private ModelBundle chunked() {
        return TestBundles.tiny(dir.resolve("tiny")).withText(TextStrategy.chunks(4, 5));
    }

    private static String words(int n, int shift) {
        return IntStream.range(0, n).mapToObj(i -> String.valueOf((char) ('a' + (i * 7 + shift) % 26)))
                .collect(Collectors.joining(" "));
    }

    @Test
    void theVectorIsTheMeanOfTheWindowsH0AndTheHeadReadsIt() {
        ModelBundle bundle = chunked();
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults())) {
            TokenizedText text = engine.tokenize(words(70, 3));
            assertEquals(3, text.windowCount(), "30 + 25 + 15 tokens of text (overlap 5)");
            Prediction pooled = engine.predict(List.of(text)).get(0);

            List<Prediction> alone = engine.predict(text.windows().stream().map(TokenizedText.Window::asText).toList());
            float[] mean = new float[engine.hiddenSize()];
            for (Prediction p : alone) {
                for (int i = 0; i < mean.length; i++) {
                    mean[i] += p.embedding()[i] / alone.size();
                }
            }
            assertArrayEquals(mean, pooled.embedding(), EPS);
            LogitsSource.LinearHead head = (LogitsSource.LinearHead) bundle.manifest().logits().orElseThrow();
            assertArrayEquals(Softmax.apply(head.logits(pooled.embedding())), pooled.classification().probabilities(),
                    EPS);
            assertEquals(3, pooled.windows());
            assertEquals(text.length(), pooled.tokens());
        }
    }

    @Test
    void poolingIsTheSameWhateverTheBatchAndTheOtherTexts() {
        ModelBundle bundle = chunked();
        String target = words(100, 1);
        List<String> others = List.of(words(5, 2), words(95, 9), words(31, 4), words(60, 11));
        float[] alone;
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.builder().concurrency(1)
                .maxTextsPerRun(1).build())) {
            alone = engine.predict(List.of(engine.tokenize(target))).get(0).embedding();
        }
        for (EncoderOptions options : List.of(
                EncoderOptions.builder().concurrency(2).maxTextsPerRun(3).build(),
                EncoderOptions.builder().concurrency(1).maxTextsPerRun(16).build(),
                EncoderOptions.builder().concurrency(2).maxTextsPerRun(2).maxPaddedTokensPerRun(40).build())) {
            try (InferenceEngine engine = InferenceEngine.open(bundle, options)) {
                List<TokenizedText> window = List.of(engine.tokenize(others.get(0)), engine.tokenize(others.get(1)),
                        engine.tokenize(target), engine.tokenize(others.get(2)), engine.tokenize(others.get(3)));
                assertArrayEquals(alone, engine.predict(window).get(2).embedding(), EPS, options.toString());
            }
        }
    }

    @Test
    void runsCountWindowsNotTexts() {
        try (InferenceEngine engine = InferenceEngine.open(chunked(), EncoderOptions.builder().concurrency(1)
                .maxTextsPerRun(2).build())) {
            TokenizedText longText = engine.tokenize(words(70, 0));
            TokenizedText shortText = engine.tokenize(words(3, 0));
            RunPlan plan = engine.plan(List.of(longText, shortText));
            assertEquals(4, plan.runs().stream().mapToInt(r -> r.length).sum(), "3 windows and 1");
            assertEquals(2, plan.runs().size(), "two windows per run");
            assertEquals(longText.length() + shortText.length(), engine.predict(List.of(longText, shortText)).stream()
                    .mapToInt(Prediction::tokens).sum());
        }
    }

    @Test
    void aTextBeyondTheLastWindowIsFlaggedAsTruncated() {
        try (InferenceEngine engine = InferenceEngine.open(chunked(), EncoderOptions.defaults())) {
            Prediction p = engine.predict(List.of(engine.tokenize(words(200, 0)))).get(0);
            assertEquals(4, p.windows());
            assertTrue(p.truncated());
        }
    }

    @Test
    void chunksNeedALinearHeadOnThePooledVector() {
        BundleException e = assertThrows(BundleException.class, () -> TestBundles.tinyWithGraphLogits(
                dir.resolve("graph"), TestBundles.TINY_LABELS).withText(TextStrategy.chunks(2, 0)));
        assertMessageNames(e, "chunks", "linear_head");
    }

    @Test
    void bundleJsonRecordsTheStrategyAndReadsItBack() {
        BundleManifest m = chunked().manifest();
        assertEquals(TextStrategy.chunks(4, 5), BundleManifest.fromJson(m.toJson(), "bundle.json").text());
        assertEquals("chunks", m.toJson().path("text").path("strategy").asText());
        assertNull(TestBundles.tiny(dir.resolve("plain")).manifest().toJson().get("text"), "truncate is the default");
        var bad = m.toJson();
        ((com.fasterxml.jackson.databind.node.ObjectNode) bad.get("text")).put("max_chunks", 0);
        assertMessageNames(assertThrows(BundleException.class, () -> BundleManifest.fromJson(bad, "x/bundle.json")),
                "x/bundle.json", "text.max_chunks", "[1, 64]");
        ((com.fasterxml.jackson.databind.node.ObjectNode) bad.get("text")).put("max_chunks", 2).put("strategy", "all");
        assertMessageNames(assertThrows(BundleException.class, () -> BundleManifest.fromJson(bad, "x/bundle.json")),
                "text.strategy", "'truncate' or 'chunks'", "'all'");
    }
}
