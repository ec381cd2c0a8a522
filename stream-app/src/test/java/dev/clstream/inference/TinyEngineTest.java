package dev.clstream.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.testing.TestBundles;
import dev.clstream.testing.TinyTokenizerJson;
import dev.clstream.tokenize.TokenizedText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inference engine end to end on tiny generated bundles (max length 32, hidden size 8). */
class TinyEngineTest {

    private static final float EPS = 1e-5f;
    private static final EncoderOptions OPTIONS = EncoderOptions.builder().concurrency(2).maxTextsPerRun(2).build();

    /** Twenty texts of varied lengths (some equal), each a different bag of tokens; one is over 32 tokens. */
    static final List<String> TEXTS = List.of(
            "this is not a good movie at all",
            "good",
            "the cat sat on the mat",
            "bad movie",
            "i love this product",
            "yes",
            "terrible service",
            "no",
            "hello world",
            "my cat is great and my dog is terrible, but the service was very good and i love it "
                    + "a lot more than you would think 12345",
            "a dog ran to the cat",
            "we hate it",
            "great great great",
            "you are very good",
            "she was bad",
            "they love the dog",
            "12345 67890",
            "what?!",
            "he said: no, it was not that bad",
            "an okay product with good service");

    @TempDir
    Path dir;

    @Test
    void predictKeepsArrivalOrderAcrossBatchesAndRuns() {
        try (InferenceEngine engine = InferenceEngine.open(TestBundles.tiny(dir), OPTIONS)) {
            assertEquals(2, engine.options().concurrency());
            assertEquals(2, engine.options().maxTextsPerRun());
            List<TokenizedText> tokens = TEXTS.stream().map(engine::tokenize).toList();
            List<Prediction> all = engine.predict(tokens);
            assertEquals(TEXTS.size(), all.size());
            for (int i = 0; i < TEXTS.size(); i++) {
                Prediction alone = engine.predict(List.of(tokens.get(i))).get(0);
                Prediction p = all.get(i);
                assertNotNull(p, "text " + i);
                assertEquals(8, p.embedding().length);
                assertArrayEquals(alone.embedding(), p.embedding(), EPS, "text " + i + ": " + TEXTS.get(i));
                assertArrayEquals(alone.classification().probabilities(), p.classification().probabilities(), EPS);
                assertEquals(tokens.get(i).length(), p.tokens());
                assertEquals(tokens.get(i).truncated(), p.truncated());
            }
            // The comparison above can only catch a mix-up if no two texts share an embedding.
            for (int i = 0; i < all.size(); i++) {
                for (int j = i + 1; j < all.size(); j++) {
                    assertTrue(Vectors.maxAbsDiff(all.get(i).embedding(), all.get(j).embedding()) > 1e-3,
                            "texts " + i + " and " + j + " must differ");
                }
            }
            Prediction longest = all.get(9);
            assertTrue(longest.truncated());
            assertEquals(32, longest.tokens());
            assertFalse(all.get(1).truncated());
            assertEquals(3, all.get(1).tokens()); // [CLS] good [SEP]
        }
    }

    @Test
    void predictFromSeveralThreadsAtOnceGivesTheSameResults() throws Exception {
        try (InferenceEngine engine = InferenceEngine.open(TestBundles.tiny(dir), OPTIONS)) {
            List<TokenizedText> tokens = TEXTS.stream().map(engine::tokenize).toList();
            List<Prediction> reference = engine.predict(tokens);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<Prediction>>> runs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    List<TokenizedText> rotated = new ArrayList<>(tokens);
                    java.util.Collections.rotate(rotated, t);
                    int shift = t;
                    runs.add(pool.submit(() -> {
                        List<Prediction> r = new ArrayList<>(engine.predict(rotated));
                        java.util.Collections.rotate(r, -shift);
                        return r;
                    }));
                }
                for (Future<List<Prediction>> run : runs) {
                    List<Prediction> got = run.get();
                    for (int i = 0; i < tokens.size(); i++) {
                        assertArrayEquals(reference.get(i).embedding(), got.get(i).embedding(), EPS, "text " + i);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void linearHeadClassificationIsSoftmaxOfHeadOverH0() throws Exception {
        ModelBundle bundle = TestBundles.tiny(dir);
        // The head as written in bundle.json, read independently of BundleManifest.
        JsonNode logits = new ObjectMapper().readTree(dir.resolve(BundleManifest.FILE_NAME).toFile()).get("logits");
        assertEquals("linear_head", logits.get("source").asText());
        double[][] w = new double[logits.get("weights").size()][];
        for (int k = 0; k < w.length; k++) {
            JsonNode row = logits.get("weights").get(k);
            w[k] = new double[row.size()];
            for (int j = 0; j < row.size(); j++) {
                w[k][j] = row.get(j).asDouble();
            }
        }
        double[] b = new double[logits.get("bias").size()];
        for (int k = 0; k < b.length; k++) {
            b[k] = logits.get("bias").get(k).asDouble();
        }
        assertEquals(2, w.length);

        try (InferenceEngine engine = InferenceEngine.open(bundle, OPTIONS)) {
            List<Prediction> all = engine.predict(TEXTS.stream().map(engine::tokenize).toList());
            for (int i = 0; i < all.size(); i++) {
                Prediction p = all.get(i);
                float[] h = p.embedding();
                double[] z = new double[w.length];
                for (int k = 0; k < w.length; k++) {
                    z[k] = b[k];
                    for (int j = 0; j < h.length; j++) {
                        z[k] += w[k][j] * h[j];
                    }
                }
                double[] expected = softmax(z);
                Classification c = p.classification();
                assertNotNull(c);
                assertEquals(TestBundles.TINY_LABELS, c.labels());
                for (int k = 0; k < expected.length; k++) {
                    assertEquals(expected[k], c.probability(k), 1e-6, "text " + i + " label " + k);
                }
                int top = expected[1] > expected[0] ? 1 : 0;
                assertEquals(TestBundles.TINY_LABELS.get(top), c.label(), "text " + i);
                assertEquals(expected[top], c.score(), 1e-6);
            }
        }
    }

    @Test
    void graphLogitsGiveNormalisedProbabilitiesForTheBundleLabels() throws Exception {
        List<String> labels = List.of("ham", "spam", "phishing");
        ModelBundle bundle = TestBundles.tinyWithGraphLogits(dir, labels);
        try (InferenceEngine engine = InferenceEngine.open(bundle, OPTIONS);
             OrtSession direct = OrtEnvironment.getEnvironment().createSession(bundle.modelFile().toString())) {
            List<TokenizedText> tokens = TEXTS.stream().map(engine::tokenize).toList();
            List<Prediction> all = engine.predict(tokens);
            for (int i = 0; i < all.size(); i++) {
                Classification c = all.get(i).classification();
                assertNotNull(c, "text " + i);
                assertEquals(labels, c.labels());
                assertEquals(3, c.probabilities().length);
                double sum = 0;
                for (float p : c.probabilities()) {
                    assertTrue(p >= 0 && p <= 1);
                    sum += p;
                }
                assertEquals(1.0, sum, 1e-5, "text " + i);
                // The graph's own logits for this text alone, straight from ONNX Runtime.
                double[] expected = softmax(graphLogits(direct, tokens.get(i)));
                for (int k = 0; k < 3; k++) {
                    assertEquals(expected[k], c.probability(k), 1e-5, "text " + i + " label " + labels.get(k));
                }
            }
        }
    }

    @Test
    void embeddingOnlyBundleHasNoClassification() {
        ModelBundle bundle = TestBundles.write(dir, b -> b, List.of(), Optional.empty(), 32);
        assertFalse(bundle.manifest().hasClassifier());
        try (InferenceEngine engine = InferenceEngine.open(bundle, OPTIONS)) {
            List<Prediction> all = engine.predict(TEXTS.stream().map(engine::tokenize).toList());
            assertEquals(TEXTS.size(), all.size());
            for (Prediction p : all) {
                assertNull(p.classification());
                assertEquals(8, p.embedding().length);
            }
            List<Outcome> out = engine.classify(List.of("hello world", ""));
            assertNull(assertInstanceOf(Outcome.Success.class, out.get(0)).prediction().classification());
            assertFailure(out.get(1), "empty_text");
        }
    }

    @Test
    void classifyRefusesTextsWithNothingToClassifyAndKeepsTheRest() {
        List<String> texts = List.of("good movie", "", "bad service", "   \n\t", "\u0000\u0001\u0007", "hello world",
                "the cat sat on the mat");
        try (InferenceEngine engine = InferenceEngine.open(TestBundles.tiny(dir), OPTIONS)) {
            List<Outcome> out = engine.classify(texts);
            assertEquals(texts.size(), out.size());
            assertFailure(out.get(1), "empty_text");
            assertFailure(out.get(3), "blank_text");
            assertFailure(out.get(4), "no_tokens");
            for (int i : new int[] {0, 2, 5, 6}) {
                Outcome.Success s = assertInstanceOf(Outcome.Success.class, out.get(i), "text " + i);
                Prediction alone = engine.predict(List.of(engine.tokenize(texts.get(i)))).get(0);
                assertArrayEquals(alone.embedding(), s.prediction().embedding(), EPS, "text " + i);
                assertNotNull(s.prediction().classification());
            }
        }
    }

    @Test
    void classifyOfOnlyInvalidTextsAndOfNothing() {
        try (InferenceEngine engine = InferenceEngine.open(TestBundles.tiny(dir), OPTIONS)) {
            List<Outcome> out = engine.classify(List.of("", " "));
            assertFailure(out.get(0), "empty_text");
            assertFailure(out.get(1), "blank_text");
            assertEquals(List.of(), engine.classify(List.of()));
            assertEquals(List.of(), engine.predict(List.of()));
            assertEquals(List.of(), engine.predictIsolating(List.of()).outcomes());
        }
    }

    @Test
    void predictIsolatingReturnsOneOutcomePerInputInOrder() {
        try (InferenceEngine engine = InferenceEngine.open(TestBundles.tiny(dir), OPTIONS)) {
            List<TokenizedText> tokens = TEXTS.stream().map(engine::tokenize).toList();
            List<Prediction> reference = engine.predict(tokens);
            List<Outcome> out = engine.predictIsolating(tokens).outcomes();
            assertEquals(tokens.size(), out.size());
            for (int i = 0; i < tokens.size(); i++) {
                Outcome.Success s = assertInstanceOf(Outcome.Success.class, out.get(i), "text " + i);
                assertArrayEquals(reference.get(i).embedding(), s.prediction().embedding(), EPS, "text " + i);
            }
        }
    }

    @Test
    void predictIsolatingConfinesAFailingTextToItsOwnOutcome() {
        try (InferenceEngine engine = InferenceEngine.open(TestBundles.tiny(dir), OPTIONS)) {
            // A token id far outside the vocabulary makes ONNX Runtime's Gather fail for any batch holding it.
            TokenizedText bad = new TokenizedText(new long[] {TinyTokenizerJson.CLS_ID, 1_000_000, TinyTokenizerJson.SEP_ID},
                    new long[3], false);
            List<TokenizedText> tokens = new ArrayList<>(TEXTS.subList(0, 7).stream().map(engine::tokenize).toList());
            tokens.add(3, bad);
            List<Outcome> out = engine.predictIsolating(tokens).outcomes();
            assertEquals(tokens.size(), out.size());
            for (int i = 0; i < tokens.size(); i++) {
                if (i == 3) {
                    assertFailure(out.get(i), "inference_failed");
                } else {
                    Outcome.Success s = assertInstanceOf(Outcome.Success.class, out.get(i), "text " + i);
                    Prediction alone = engine.predict(List.of(tokens.get(i))).get(0);
                    assertArrayEquals(alone.embedding(), s.prediction().embedding(), EPS, "text " + i);
                }
            }
            // predict, by contrast, fails as a whole.
            org.junit.jupiter.api.Assertions.assertThrows(InferenceException.class, () -> engine.predict(tokens));
        }
    }

    @Test
    void engineWorksWithOneRunnerToo() {
        EncoderOptions serial = EncoderOptions.builder().concurrency(1).maxTextsPerRun(3).build();
        try (InferenceEngine one = InferenceEngine.open(TestBundles.tiny(dir), serial)) {
            List<TokenizedText> tokens = TEXTS.stream().map(one::tokenize).toList();
            List<Prediction> all = one.predict(tokens);
            for (int i = 0; i < tokens.size(); i++) {
                assertArrayEquals(one.predict(List.of(tokens.get(i))).get(0).embedding(), all.get(i).embedding(), EPS);
            }
        }
    }

    @Test
    void closeInTryWithResources() {
        ModelBundle bundle = TestBundles.tiny(dir);
        float[] first;
        try (InferenceEngine engine = InferenceEngine.open(bundle, OPTIONS)) {
            first = engine.predict(List.of(engine.tokenize("hello world"))).get(0).embedding();
        }
        // Closing released nothing shared: the same bundle opens again and gives the same answer.
        try (InferenceEngine engine = InferenceEngine.open(bundle, OPTIONS)) {
            assertArrayEquals(first, engine.predict(List.of(engine.tokenize("hello world"))).get(0).embedding(), EPS);
        }
    }

    @Test
    void closingTwiceIsHarmless() {
        InferenceEngine engine = InferenceEngine.open(TestBundles.tiny(dir), OPTIONS);
        engine.close();
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(engine::close);
    }

    private static void assertFailure(Outcome o, String reason) {
        Outcome.Failure f = assertInstanceOf(Outcome.Failure.class, o);
        assertEquals(reason, f.reason().code());
        assertNotNull(f.message());
        assertFalse(f.message().isBlank());
    }

    private static double[] softmax(double[] z) {
        double max = Arrays.stream(z).max().orElseThrow();
        double[] e = Arrays.stream(z).map(v -> Math.exp(v - max)).toArray();
        double sum = Arrays.stream(e).sum();
        return Arrays.stream(e).map(v -> v / sum).toArray();
    }

    private static double[] graphLogits(OrtSession session, TokenizedText t) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[][] mask = {new long[t.length()]};
        Arrays.fill(mask[0], 1L);
        try (OnnxTensor ids = OnnxTensor.createTensor(env, new long[][] {t.ids()});
             OnnxTensor m = OnnxTensor.createTensor(env, mask);
             OrtSession.Result r = session.run(Map.of("input_ids", ids, "attention_mask", m))) {
            float[] row = ((float[][]) r.get("logits").orElseThrow().getValue())[0];
            double[] out = new double[row.length];
            for (int i = 0; i < row.length; i++) {
                out[i] = row[i];
            }
            return out;
        }
    }
}
