package dev.clstream.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyModelsTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final Map<String, String> TOKENIZER_OPTIONS =
            Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "true", "maxLength", "16");

    @TempDir
    Path dir;

    @Test
    void tokenizerAddsClsSepAndTruncates() throws Exception {
        List<String> vocab = TinyTokenizerJson.defaultVocabulary();
        Path file = TinyTokenizerJson.write(dir, vocab);
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(file, TOKENIZER_OPTIONS)) {
            Encoding enc = tok.encode("Hello, World! Zebras");
            assertArrayEquals(new String[] {"[CLS]", "hello", ",", "world", "!", "z", "##e", "##b", "##r",
                    "##a", "##s", "[SEP]"}, enc.getTokens());
            long[] ids = enc.getIds();
            assertEquals(TinyTokenizerJson.CLS_ID, ids[0]);
            assertEquals(TinyTokenizerJson.SEP_ID, ids[ids.length - 1]);
            assertEquals(vocab.indexOf("hello"), ids[1]);
            assertTrue(Arrays.stream(ids).noneMatch(id -> id == TinyTokenizerJson.UNK_ID));

            Encoding lng = tok.encode("the cat sat on the mat and the dog ran to the cat in the world today");
            assertEquals(16, lng.getIds().length);
            assertEquals(TinyTokenizerJson.CLS_ID, lng.getIds()[0]);
            assertEquals(TinyTokenizerJson.SEP_ID, lng.getIds()[15]);

            Encoding pair = tok.encode("good", "bad");
            assertArrayEquals(new long[] {0, 0, 0, 1, 1}, pair.getTypeIds());
            assertEquals(TinyTokenizerJson.UNK_ID, tok.encode("日").getIds()[1]);
        }
    }

    @Test
    void sessionExposesBertShapedSignature() throws Exception {
        TinyEncoderModel model = TinyEncoderModel.builder().vocabSize(100).build();
        try (OrtSession s = ENV.createSession(model.write(dir).toString(), new OrtSession.SessionOptions())) {
            assertEquals(List.of("input_ids", "attention_mask"), List.copyOf(s.getInputNames()));
            assertEquals(List.of("last_hidden_state"), List.copyOf(s.getOutputNames()));
            TensorInfo ids = (TensorInfo) s.getInputInfo().get("input_ids").getInfo();
            assertArrayEquals(new long[] {-1, -1}, ids.getShape());
            assertArrayEquals(new String[] {"batch", "sequence"}, ids.getDimensionNames());
            assertEquals(ai.onnxruntime.OnnxJavaType.INT64, ids.type);
            TensorInfo out = (TensorInfo) s.getOutputInfo().get("last_hidden_state").getInfo();
            assertArrayEquals(new long[] {-1, -1, 8}, out.getShape());
            assertEquals(ai.onnxruntime.OnnxJavaType.FLOAT, out.type);
        }
    }

    @Test
    void paddingIsInvariantAndOutputsAreContextual() throws Exception {
        List<String> vocab = TinyTokenizerJson.defaultVocabulary();
        TinyEncoderModel model = TinyEncoderModel.builder().vocabSize(vocab.size()).seed(7).build();
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(
                     TinyTokenizerJson.write(dir, vocab), TOKENIZER_OPTIONS);
             OrtSession s = ENV.createSession(model.write(dir).toString(), new OrtSession.SessionOptions())) {
            long[] a = tok.encode("the cat sat on the mat").getIds();
            long[] b = tok.encode("the dog ran").getIds();
            assertEquals(a[1], b[1]); // "the" at position 1 in both

            float[][][] batch = run(s, new long[][] {a, b});
            float[][] soloA = run(s, new long[][] {a})[0];
            float[][] soloB = run(s, new long[][] {b})[0];
            assertClose(soloA, Arrays.copyOf(batch[0], a.length));
            assertClose(soloB, Arrays.copyOf(batch[1], b.length));

            assertFalse(Arrays.equals(soloA[0], soloB[0]), "[CLS] rows of different sentences must differ");
            assertFalse(Arrays.equals(soloA[1], soloB[1]), "same token, same position, different context");
            // Documented limitation: no position embeddings, so "the" at 1 and 5 in one sentence match.
            assertArrayEquals(soloA[1], soloA[5]);
        }
    }

    @Test
    void tokenTypeAndLogitsVariantRuns() throws Exception {
        TinyEncoderModel model = TinyEncoderModel.builder().vocabSize(50).hidden(4).withTokenTypeIds(true)
                .logitsLabels(3).build();
        try (OrtSession s = ENV.createSession(model.toBytes())) {
            assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), List.copyOf(s.getInputNames()));
            assertEquals(List.of("last_hidden_state", "logits"), List.copyOf(s.getOutputNames()));
            assertArrayEquals(new long[] {-1, 3}, ((TensorInfo) s.getOutputInfo().get("logits").getInfo()).getShape());
            long[][] ids = {{2, 10, 11, 3}};
            long[][] mask = {{1, 1, 1, 1}};
            try (OnnxTensor i = OnnxTensor.createTensor(ENV, ids);
                 OnnxTensor m = OnnxTensor.createTensor(ENV, mask);
                 OnnxTensor t0 = OnnxTensor.createTensor(ENV, new long[][] {{0, 0, 0, 0}});
                 OnnxTensor t1 = OnnxTensor.createTensor(ENV, new long[][] {{0, 0, 1, 1}});
                 OrtSession.Result r0 = s.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t0));
                 OrtSession.Result r1 = s.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t1))) {
                float[][] logits0 = (float[][]) r0.get("logits").orElseThrow().getValue();
                float[][] logits1 = (float[][]) r1.get("logits").orElseThrow().getValue();
                assertEquals(3, logits0[0].length);
                assertFalse(Arrays.equals(logits0[0], logits1[0]), "token types must reach the output");
                float[][][] h = (float[][][]) r0.get("last_hidden_state").orElseThrow().getValue();
                assertEquals(4, h[0][0].length);
            }
        }
    }

    @Test
    void negativeTestVariantsHaveTheRequestedSignature() throws Exception {
        TinyEncoderModel model = TinyEncoderModel.builder().vocabSize(20).inputType(TinyEncoderModel.IndexType.INT32)
                .inputIdsName("ids").outputName("hidden").extraInput("position_ids").symbolicHidden(true).build();
        try (OrtSession s = ENV.createSession(model.toBytes())) {
            assertEquals(List.of("ids", "attention_mask", "position_ids"), List.copyOf(s.getInputNames()));
            TensorInfo in = (TensorInfo) s.getInputInfo().get("position_ids").getInfo();
            assertEquals(ai.onnxruntime.OnnxJavaType.INT32, in.type);
            TensorInfo out = (TensorInfo) s.getOutputInfo().get("hidden").getInfo();
            assertArrayEquals(new long[] {-1, -1, -1}, out.getShape());
            assertEquals("hidden", out.getDimensionNames()[2]);
            long[] shape = {1, 3};
            try (OnnxTensor i = OnnxTensor.createTensor(ENV, IntBuffer.wrap(new int[] {2, 7, 3}), shape);
                 OnnxTensor m = OnnxTensor.createTensor(ENV, IntBuffer.wrap(new int[] {1, 1, 1}), shape);
                 OnnxTensor p = OnnxTensor.createTensor(ENV, IntBuffer.wrap(new int[] {0, 1, 2}), shape);
                 OrtSession.Result r = s.run(Map.of("ids", i, "attention_mask", m, "position_ids", p))) {
                float[][][] h = (float[][][]) r.get(0).getValue();
                assertEquals(8, h[0][0].length);
            }
        }
    }

    @Test
    void weightsAreDeterministicPerSeed() {
        TinyEncoderModel.Builder b = TinyEncoderModel.builder().vocabSize(30);
        assertArrayEquals(b.seed(1).build().toBytes(), b.seed(1).build().toBytes());
        TinyEncoderModel first = b.seed(1).build();
        byte[] bytes = first.toBytes();
        assertFalse(Arrays.equals(bytes, b.seed(2).build().toBytes()));
        assertArrayEquals(bytes, first.toBytes(), "a built model must not follow later builder changes");
    }

    /** Runs last_hidden_state on right-padded rows (pad id 0, attention_mask 0). */
    private static float[][][] run(OrtSession s, long[][] rows) throws OrtException {
        int len = Arrays.stream(rows).mapToInt(r -> r.length).max().orElseThrow();
        long[][] ids = new long[rows.length][len];
        long[][] mask = new long[rows.length][len];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, ids[r], 0, rows[r].length);
            Arrays.fill(mask[r], 0, rows[r].length, 1L);
        }
        try (OnnxTensor i = OnnxTensor.createTensor(ENV, ids);
             OnnxTensor m = OnnxTensor.createTensor(ENV, mask)) {
            Map<String, OnnxTensor> feed = new HashMap<>(Map.of("input_ids", i, "attention_mask", m));
            try (OrtSession.Result r = s.run(feed)) {
                return (float[][][]) r.get("last_hidden_state").orElseThrow().getValue();
            }
        }
    }

    private static void assertClose(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int p = 0; p < expected.length; p++) {
            assertArrayEquals(expected[p], actual[p], 1e-5f, "position " + p);
        }
    }
}
