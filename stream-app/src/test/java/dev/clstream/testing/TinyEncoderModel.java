package dev.clstream.testing;

import static dev.clstream.testing.OnnxProtoWriter.attrInt;
import static dev.clstream.testing.OnnxProtoWriter.floatTensor;
import static dev.clstream.testing.OnnxProtoWriter.int64Tensor;
import static dev.clstream.testing.OnnxProtoWriter.valueInfo;

import dev.clstream.testing.OnnxProtoWriter.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A tiny, deterministic BERT-shaped ONNX encoder for tests (opset 17, a few KB, runs in
 * microseconds). Signature mirrors an HF export: int inputs [batch, sequence], output
 * {@code last_hidden_state} float [batch, sequence, hidden], optional {@code logits} [batch, L].
 *
 * <p>Computation: x = E[input_ids] (+ T[token_type_ids]); ctx = masked mean of x over the sequence;
 * h = tanh(x·W1 + ctx·W2); logits = h[:, 0, :]·Wc + bc. The masked mean makes every position depend
 * on the whole real sequence (so outputs are contextual) while padding with attention_mask = 0
 * leaves real positions unchanged, which is what batching code must preserve. There is no position
 * signal: the same token twice in one sentence gets the same vector, and word order does not change
 * the [CLS] row.
 */
public final class TinyEncoderModel {

    /** Element type of the integer inputs; Gather and Cast accept both. */
    public enum IndexType {
        INT64(OnnxProtoWriter.INT64), INT32(OnnxProtoWriter.INT32);

        final int onnxType;

        IndexType(int onnxType) {
            this.onnxType = onnxType;
        }
    }

    private final Builder b;

    private TinyEncoderModel(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int vocabSize() {
        return b.vocabSize;
    }

    public int hidden() {
        return b.hidden;
    }

    public int logitsLabels() {
        return b.logitsLabels;
    }

    /** Graph input names in declaration order. */
    public List<String> inputNames() {
        List<String> names = new ArrayList<>(List.of(b.inputIdsName, b.attentionMaskName));
        if (b.tokenTypeIds) {
            names.add(b.tokenTypeIdsName);
        }
        names.addAll(b.extraInputs);
        return names;
    }

    /** Graph output names in declaration order. */
    public List<String> outputNames() {
        return b.logitsLabels > 0 ? List.of(b.outputName, b.logitsName) : List.of(b.outputName);
    }

    /** Writes {@code dir/model.onnx} (creating dir) and returns the file. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        return Files.write(dir.resolve("model.onnx"), toBytes());
    }

    /** The serialized ModelProto, e.g. for {@code OrtEnvironment.createSession(byte[])}. */
    public byte[] toBytes() {
        return new GraphBuilder(b).build();
    }

    /** Builder; every setter has a BERT-like default so {@code builder().vocabSize(n).build()} works. */
    public static final class Builder {
        private int vocabSize = -1;
        private int hidden = 8;
        private long seed = 42;
        private boolean tokenTypeIds;
        private int logitsLabels;
        private String inputIdsName = "input_ids";
        private String attentionMaskName = "attention_mask";
        private String tokenTypeIdsName = "token_type_ids";
        private IndexType inputType = IndexType.INT64;
        private String outputName = "last_hidden_state";
        private String logitsName = "logits";
        private final List<String> extraInputs = new ArrayList<>();
        private boolean symbolicHidden;

        private Builder() {}

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder hidden(int v) { hidden = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder withTokenTypeIds(boolean v) { tokenTypeIds = v; return this; }
        /** Number of labels of an extra {@code logits} output; 0 (default) = no logits output. */
        public Builder logitsLabels(int v) { logitsLabels = v; return this; }
        public Builder inputIdsName(String v) { inputIdsName = v; return this; }
        public Builder attentionMaskName(String v) { attentionMaskName = v; return this; }
        public Builder tokenTypeIdsName(String v) { tokenTypeIdsName = v; return this; }
        public Builder inputType(IndexType v) { inputType = Objects.requireNonNull(v); return this; }
        public Builder outputName(String v) { outputName = v; return this; }
        public Builder logitsName(String v) { logitsName = v; return this; }
        /**
         * Adds a further required [batch, sequence] input of the input type (e.g. "position_ids").
         * It feeds the graph with weight zero, so it is genuinely required but never changes results.
         */
        public Builder extraInput(String name) { extraInputs.add(Objects.requireNonNull(name)); return this; }
        /** Declare the hidden dim of last_hidden_state as dim_param "hidden" instead of its value. */
        public Builder symbolicHidden(boolean v) { symbolicHidden = v; return this; }

        private Builder copy() {
            Builder c = new Builder();
            c.vocabSize = vocabSize;
            c.hidden = hidden;
            c.seed = seed;
            c.tokenTypeIds = tokenTypeIds;
            c.logitsLabels = logitsLabels;
            c.inputIdsName = inputIdsName;
            c.attentionMaskName = attentionMaskName;
            c.tokenTypeIdsName = tokenTypeIdsName;
            c.inputType = inputType;
            c.outputName = outputName;
            c.logitsName = logitsName;
            c.extraInputs.addAll(extraInputs);
            c.symbolicHidden = symbolicHidden;
            return c;
        }

        public TinyEncoderModel build() {
            if (vocabSize < 1 || hidden < 1 || logitsLabels < 0) {
                throw new IllegalArgumentException("need vocabSize >= 1, hidden >= 1, logitsLabels >= 0");
            }
            TinyEncoderModel m = new TinyEncoderModel(copy()); // snapshot: later setter calls don't leak in
            List<String> all = new ArrayList<>(m.inputNames());
            all.addAll(m.outputNames());
            if (new HashSet<>(all).size() != all.size() || all.stream().anyMatch(String::isEmpty)) {
                throw new IllegalArgumentException("input/output names must be distinct and non-empty: " + all);
            }
            return m;
        }
    }

    /** Emits nodes and initializers; internal value names are prefixed so they cannot clash with I/O names. */
    private static final class GraphBuilder {
        private final Builder b;
        private final List<Message> nodes = new ArrayList<>();
        private final List<Message> inits = new ArrayList<>();
        private int counter;

        GraphBuilder(Builder b) {
            this.b = b;
        }

        byte[] build() {
            // One split per weight in a fixed order, whether used or not, so toggling options
            // (token types, logits) never changes the other weights for the same seed.
            SplittableRandom root = new SplittableRandom(b.seed);
            int h = b.hidden;
            int labels = Math.max(b.logitsLabels, 1);
            float[] e = gaussian(root.split(), b.vocabSize * h);
            float[] t = gaussian(root.split(), 2 * h);
            float[] w1 = gaussian(root.split(), h * h);
            float[] w2 = gaussian(root.split(), h * h);
            float[] wc = gaussian(root.split(), h * labels);
            float[] bc = gaussian(root.split(), labels);

            init(floatTensor("w.embeddings", new long[] {b.vocabSize, h}, e));
            String x = op("Gather", List.of("w.embeddings", b.inputIdsName));
            if (b.tokenTypeIds) {
                init(floatTensor("w.token_types", new long[] {2, h}, t));
                x = op("Add", List.of(x, op("Gather", List.of("w.token_types", b.tokenTypeIdsName))));
            }
            init(int64Tensor("c.axes_last", new long[] {1}, -1));
            if (!b.extraInputs.isEmpty()) {
                init(floatTensor("c.zero", new long[0], 0f));
            }
            for (String extra : b.extraInputs) {
                String f = op("Unsqueeze", List.of(op("Cast", List.of(extra), attrInt("to", OnnxProtoWriter.FLOAT)),
                        "c.axes_last"));
                x = op("Add", List.of(x, op("Mul", List.of(f, "c.zero"))));
            }

            // Masked mean over the sequence axis; Max(count, 1) keeps an all-padding row finite.
            String m = op("Unsqueeze", List.of(
                    op("Cast", List.of(b.attentionMaskName), attrInt("to", OnnxProtoWriter.FLOAT)), "c.axes_last"));
            init(int64Tensor("c.axes_seq", new long[] {1}, 1));
            init(floatTensor("c.one", new long[0], 1f));
            String sum = op("ReduceSum", List.of(op("Mul", List.of(x, m)), "c.axes_seq"), attrInt("keepdims", 1));
            String count = op("ReduceSum", List.of(m, "c.axes_seq"), attrInt("keepdims", 1));
            String ctx = op("Div", List.of(sum, op("Max", List.of(count, "c.one"))));

            init(floatTensor("w.w1", new long[] {h, h}, w1));
            init(floatTensor("w.w2", new long[] {h, h}, w2));
            String pre = op("Add", List.of(op("MatMul", List.of(x, "w.w1")), op("MatMul", List.of(ctx, "w.w2"))));
            nodes.add(OnnxProtoWriter.node("Tanh", "n.out", List.of(pre), List.of(b.outputName)));

            List<Message> inputs = new ArrayList<>();
            for (String name : new TinyEncoderModel(b).inputNames()) {
                inputs.add(valueInfo(name, b.inputType.onnxType, "batch", "sequence"));
            }
            if (b.symbolicHidden) {
                // ORT replaces a declared dim_param by any dim it can infer, and W1/W2 pin it to h.
                // Declaring them as graph inputs with symbolic dims too makes them overridable
                // initializers (ORT logs a warning): shape inference then only sees "hidden", and
                // the session still lists just the real inputs.
                inputs.add(valueInfo("w.w1", OnnxProtoWriter.FLOAT, "hidden", "hidden"));
                inputs.add(valueInfo("w.w2", OnnxProtoWriter.FLOAT, "hidden", "hidden"));
            }
            Object hiddenDim = b.symbolicHidden ? "hidden" : (Object) (long) h;
            List<Message> outputs = new ArrayList<>();
            outputs.add(valueInfo(b.outputName, OnnxProtoWriter.FLOAT, "batch", "sequence", hiddenDim));

            if (b.logitsLabels > 0) {
                init(int64Tensor("c.first", new long[0], 0));
                init(floatTensor("w.classifier", new long[] {h, b.logitsLabels}, wc));
                init(floatTensor("w.classifier_bias", new long[] {b.logitsLabels}, bc));
                String cls = op("Gather", List.of(b.outputName, "c.first"), attrInt("axis", 1));
                String mm = op("MatMul", List.of(cls, "w.classifier"));
                nodes.add(OnnxProtoWriter.node("Add", "n.logits", List.of(mm, "w.classifier_bias"),
                        List.of(b.logitsName)));
                outputs.add(valueInfo(b.logitsName, OnnxProtoWriter.FLOAT, "batch", (long) b.logitsLabels));
            }

            Message graph = OnnxProtoWriter.graph("tiny_encoder", nodes, inits, inputs, outputs);
            return OnnxProtoWriter.model("clstream-tests", graph);
        }

        /** Adds a node with a fresh output name and returns that name. */
        private String op(String opType, List<String> inputs, Message... attrs) {
            String out = "v." + opType + "_" + counter++;
            nodes.add(OnnxProtoWriter.node(opType, "n." + out, inputs, List.of(out), attrs));
            return out;
        }

        private void init(Message tensor) {
            inits.add(tensor);
        }

        // Box-Muller on nextDouble() rather than nextGaussian(), whose algorithm may differ between
        // JDKs; scaled by 0.5 so tanh stays mostly out of saturation.
        private static float[] gaussian(SplittableRandom r, int n) {
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                double u1 = 1.0 - r.nextDouble();
                double u2 = r.nextDouble();
                out[i] = (float) (0.5 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
            }
            return out;
        }
    }
}
