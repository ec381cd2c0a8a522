package dev.clstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.clstream.testing.TestBundles;
import dev.clstream.tokenize.TokenizedText;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Properties of the real encoder (bge-small) that the stream relies on. */
class EncoderBehaviourTest {
    @TempDir
    static Path dir;
    static InferenceEngine engine;

    @BeforeAll
    static void open() {
        engine = InferenceEngine.open(TestBundles.bgeSmall(dir, 128), EncoderOptions.builder().concurrency(1).build());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void sameWordGetsDifferentFinalVectorsInDifferentSentences() throws Exception {
        String a = "she sat on the river bank and watched the boats";
        String b = "he deposited the cheque at the bank before noon";
        TokenizedText ta = engine.tokenize(a);
        TokenizedText tb = engine.tokenize(b);
        // The final hidden state of every position, straight from the graph: h_i, not only h_0.
        float[][] ha = allHiddenStates(ta);
        float[][] hb = allHiddenStates(tb);
        int ia = positionOf(ta, "bank");
        int ib = positionOf(tb, "bank");
        assertEquals(ta.ids()[ia], tb.ids()[ib], "same token id for 'bank'");
        double cos = Vectors.cosine(ha[ia], hb[ib]);
        double diff = Vectors.maxAbsDiff(ha[ia], hb[ib]);
        System.out.printf("'bank' in two sentences: cosine %.4f, max abs diff %.4f%n", cos, diff);
        assertTrue(diff > 0.05, "h_i of 'bank' should depend on its sentence, max abs diff " + diff);
        assertTrue(cos < 0.99, "h_i of 'bank' should depend on its sentence, cosine " + cos);
        // And h_0 is the same [CLS] token at position 0, yet differs as a sequence representation.
        assertEquals(ta.ids()[0], tb.ids()[0]);
        assertTrue(Vectors.maxAbsDiff(ha[0], hb[0]) > 0.05);
        // Our pinned-output path returns exactly row 0 of the graph's output.
        float[] h0 = engine.predict(List.of(ta)).get(0).embedding();
        assertTrue(Vectors.maxAbsDiff(h0, ha[0]) <= 1e-5, "engine h_0 equals row 0 of last_hidden_state");
    }

    @Test
    void batchingDoesNotChangeH0() {
        String probe = "Limited offer: refinance your mortgage today at the lowest rate ever";
        List<String> longer = List.of(
                "We are writing to let you know that the scheduled maintenance of the mail servers has been moved to "
                        + "Saturday night, between 11pm and 3am, so please expect short interruptions of service.",
                "The committee reviewed all of the proposals submitted this quarter and selected three of them for "
                        + "funding, subject to the usual reporting requirements and a final budget review in March.");
        List<String> shorter = List.of("ok", "see you soon", "thanks!");
        TokenizedText p = engine.tokenize(probe);
        Encoder alone = encoderOf(engine);
        float[] h0Alone = alone.encode(List.of(p)).clsEmbeddings()[0];
        float[] withLonger = alone.encode(join(p, longer)).clsEmbeddings()[0];
        float[] withShorter = alone.encode(join(p, shorter)).clsEmbeddings()[0];
        double dLonger = Vectors.maxAbsDiff(h0Alone, withLonger);
        double dShorter = Vectors.maxAbsDiff(h0Alone, withShorter);
        System.out.printf("h_0 max abs diff: with longer texts %.2e, with shorter texts %.2e%n", dLonger, dShorter);
        assertTrue(dLonger <= 1e-4, "padded among longer texts: " + dLonger);
        assertTrue(dShorter <= 1e-4, "among shorter texts: " + dShorter);
        // The engine's length-sorted path gives the same answer for every position in the window.
        List<TokenizedText> window = join(p, List.of(longer.get(0), shorter.get(0), longer.get(1), shorter.get(1)));
        List<Prediction> predicted = engine.predict(window);
        for (int i = 0; i < window.size(); i++) {
            float[] single = alone.encode(List.of(window.get(i))).clsEmbeddings()[0];
            assertTrue(Vectors.maxAbsDiff(single, predicted.get(i).embedding()) <= 1e-4, "window position " + i);
        }
    }

    private static List<TokenizedText> join(TokenizedText first, List<String> others) {
        var all = new java.util.ArrayList<TokenizedText>();
        all.add(first);
        others.forEach(t -> all.add(engine.tokenize(t)));
        return all;
    }

    private static Encoder encoderOf(InferenceEngine e) {
        try {
            var f = InferenceEngine.class.getDeclaredField("encoder");
            f.setAccessible(true);
            return (Encoder) f.get(e);
        } catch (ReflectiveOperationException ex) {
            throw new AssertionError(ex);
        }
    }

    private static int positionOf(TokenizedText t, String word) throws Exception {
        try (var tok = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(
                engine.bundle().tokenizerFile(), Map.of())) {
            long id = tok.encode(word, false, false).getIds()[0];
            for (int i = 0; i < t.length(); i++) {
                if (t.ids()[i] == id) {
                    return i;
                }
            }
        }
        throw new AssertionError(word + " not found in " + Arrays.toString(t.ids()));
    }

    private static float[][] allHiddenStates(TokenizedText t) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[][] mask = {new long[t.length()]};
        Arrays.fill(mask[0], 1);
        try (OrtSession s = env.createSession(engine.bundle().modelFile().toString());
             OnnxTensor ids = OnnxTensor.createTensor(env, new long[][] {t.ids()});
             OnnxTensor m = OnnxTensor.createTensor(env, mask);
             OnnxTensor types = OnnxTensor.createTensor(env, new long[][] {t.typeIds()});
             OrtSession.Result r = s.run(Map.of("input_ids", ids, "attention_mask", m, "token_type_ids", types))) {
            return ((float[][][]) r.get("last_hidden_state").orElseThrow().getValue())[0];
        }
    }
}
