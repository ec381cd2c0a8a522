package dev.clstream.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.clstream.inference.RunPlanner;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.tokenize.TextTokenizer;
import dev.clstream.tokenize.TokenizedText;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference: a plain ONNX Runtime loop. The texts are tokenised and grouped into the same
 * length-sorted batches as the engine makes ({@link RunPlanner#group}, same batch size, no
 * token limit) outside the measured operation, and each batch is padded to its longest text. One
 * operation creates the int64 tensors from {@code long[][]} arrays, runs one session with
 * intra-op threads = cores, batch after batch on the calling thread, and takes h_0 from
 * last_hidden_state.
 */
public final class BareOrtContender implements Contender {
    public static final String HIDDEN_OUTPUT = "last_hidden_state";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final boolean takesTokenTypeIds;
    private final int textCount;
    private final List<int[]> batches;
    private final long[][][] ids;
    private final long[][][] masks;
    private final long[][][] types;
    private final int intraOpThreads;

    private BareOrtContender(OrtEnvironment env, OrtSession session, boolean takesTokenTypeIds, int textCount,
                             List<int[]> batches, long[][][] ids, long[][][] masks, long[][][] types,
                             int intraOpThreads) {
        this.env = env;
        this.session = session;
        this.takesTokenTypeIds = takesTokenTypeIds;
        this.textCount = textCount;
        this.batches = batches;
        this.ids = ids;
        this.masks = masks;
        this.types = types;
        this.intraOpThreads = intraOpThreads;
    }

    public static BareOrtContender open(ModelBundle bundle, List<String> texts, int batchSize) {
        TokenizedText[] tokenized = new TokenizedText[texts.size()];
        long padId;
        try (TextTokenizer tokenizer = TextTokenizer.load(bundle.tokenizerFile(), bundle.manifest().maxLength())) {
            for (int i = 0; i < tokenized.length; i++) {
                tokenized[i] = tokenizer.tokenize(texts.get(i));
            }
            padId = tokenizer.padId();
        }
        int[] lengths = new int[tokenized.length];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = tokenized[i].length();
        }
        List<int[]> batches = RunPlanner.group(lengths, batchSize, Integer.MAX_VALUE);
        long[][][] ids = new long[batches.size()][][];
        long[][][] masks = new long[batches.size()][][];
        long[][][] types = new long[batches.size()][][];
        for (int b = 0; b < batches.size(); b++) {
            int[] batch = batches.get(b);
            int cols = 0;
            for (int i : batch) {
                cols = Math.max(cols, lengths[i]);
            }
            ids[b] = new long[batch.length][cols];
            masks[b] = new long[batch.length][cols];
            types[b] = new long[batch.length][cols];
            for (int r = 0; r < batch.length; r++) {
                TokenizedText t = tokenized[batch[r]];
                java.util.Arrays.fill(ids[b][r], padId);
                for (int c = 0; c < t.length(); c++) {
                    ids[b][r][c] = t.ids()[c];
                    masks[b][r][c] = 1L;
                    types[b][r][c] = t.typeIds()[c];
                }
            }
        }
        int threads = Runtime.getRuntime().availableProcessors();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OrtSession session = env.createSession(bundle.modelFile().toString(), so);
            boolean takesTypes = session.getInputNames().contains("token_type_ids");
            return new BareOrtContender(env, session, takesTypes, texts.size(), batches, ids, masks, types, threads);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot open " + bundle.modelFile() + ": " + e.getMessage(), e);
        }
    }

    public int batchCount() {
        return batches.size();
    }

    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** One operation: every batch through session.run, one after another; the h_0 rows in text order. */
    @Override
    public float[][] run() {
        float[][] out = new float[textCount][];
        try {
            for (int b = 0; b < batches.size(); b++) {
                int[] batch = batches.get(b);
                try (OnnxTensor idsT = OnnxTensor.createTensor(env, ids[b]);
                     OnnxTensor maskT = OnnxTensor.createTensor(env, masks[b]);
                     OnnxTensor typesT = takesTokenTypeIds ? OnnxTensor.createTensor(env, types[b]) : null) {
                    Map<String, OnnxTensor> inputs = new HashMap<>();
                    inputs.put("input_ids", idsT);
                    inputs.put("attention_mask", maskT);
                    if (typesT != null) {
                        inputs.put("token_type_ids", typesT);
                    }
                    try (OrtSession.Result result = session.run(inputs, Set.of(HIDDEN_OUTPUT))) {
                        OnnxTensor hidden = (OnnxTensor) result.get(HIDDEN_OUTPUT).orElseThrow();
                        long[] shape = hidden.getInfo().getShape();
                        int cols = (int) shape[1];
                        int width = (int) shape[2];
                        FloatBuffer h = hidden.getFloatBuffer();
                        for (int r = 0; r < batch.length; r++) {
                            float[] row = new float[width];
                            h.get(r * cols * width, row);
                            out[batch[r]] = row;
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("session.run failed: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
