package dev.clstream.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.clstream.bundle.BundleException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The tensors clstream exchanges with an encoder graph, checked against what the graph really
 * declares. Every complaint lists the graph's actual inputs and outputs with types and shapes, so a
 * wrong export can be fixed without opening the model in another tool.
 */
record ModelSignature(boolean takesTokenTypeIds, OptionalInt declaredHiddenSize, Optional<String> logitsOutput) {

    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    static final String HIDDEN_OUTPUT = "last_hidden_state";
    private static final Set<String> FEEDABLE = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

    /**
     * Checks the session's graph. {@code logitsOutput}, when present, must be a float [batch, labels]
     * output with {@code labelCount} classes.
     */
    static ModelSignature inspect(OrtSession session, String where, Optional<String> logitsOutput, int labelCount) {
        Map<String, NodeInfo> inputs;
        Map<String, NodeInfo> outputs;
        try {
            inputs = session.getInputInfo();
            outputs = session.getOutputInfo();
        } catch (OrtException e) {
            throw new BundleException(where + ": cannot read the graph's inputs and outputs: " + e.getMessage(), e);
        }
        String have = " The model's inputs are " + describe(inputs) + "; its outputs are " + describe(outputs) + ".";
        for (String required : new String[] {INPUT_IDS, ATTENTION_MASK}) {
            if (!inputs.containsKey(required)) {
                throw new BundleException(where + ": the graph has no input '" + required + "'." + have);
            }
        }
        for (NodeInfo in : inputs.values()) {
            if (!FEEDABLE.contains(in.getName())) {
                throw new BundleException(where + ": the graph requires input '" + in.getName()
                        + "', which clstream cannot feed (it feeds input_ids, attention_mask and, when declared, "
                        + "token_type_ids)." + have);
            }
            TensorInfo t = tensor(in, where, have);
            if (t.type != OnnxJavaType.INT64 || t.getShape().length != 2) {
                throw new BundleException(where + ": input '" + in.getName() + "' must be int64 [batch, sequence], "
                        + "the graph declares " + describe(t) + "." + have);
            }
        }
        NodeInfo hidden = outputs.get(HIDDEN_OUTPUT);
        if (hidden == null) {
            throw new BundleException(where + ": the graph has no output '" + HIDDEN_OUTPUT
                    + "' (the final hidden states, [batch, sequence, hidden])." + have);
        }
        TensorInfo h = tensor(hidden, where, have);
        if (h.type != OnnxJavaType.FLOAT || h.getShape().length != 3) {
            throw new BundleException(where + ": output '" + HIDDEN_OUTPUT + "' must be float [batch, sequence, hidden], "
                    + "the graph declares " + describe(h) + "." + have);
        }
        long hiddenDim = h.getShape()[2];
        if (logitsOutput.isPresent()) {
            checkLogits(outputs, logitsOutput.get(), labelCount, where, have);
        }
        return new ModelSignature(inputs.containsKey(TOKEN_TYPE_IDS),
                hiddenDim > 0 ? OptionalInt.of((int) hiddenDim) : OptionalInt.empty(), logitsOutput);
    }

    private static void checkLogits(Map<String, NodeInfo> outputs, String name, int labelCount, String where,
                                    String have) {
        NodeInfo logits = outputs.get(name);
        if (logits == null) {
            throw new BundleException(where + ": bundle.json takes the logits from graph output '" + name
                    + "', which the graph does not have." + have);
        }
        TensorInfo t = tensor(logits, where, have);
        if (t.type != OnnxJavaType.FLOAT || t.getShape().length != 2) {
            throw new BundleException(where + ": output '" + name + "' must be float [batch, labels], the graph declares "
                    + describe(t) + "." + have);
        }
        long classes = t.getShape()[1];
        if (classes > 0 && classes != labelCount) {
            throw new BundleException(where + ": output '" + name + "' has " + classes + " classes but bundle.json "
                    + "names " + labelCount + " labels." + have);
        }
    }

    private static TensorInfo tensor(NodeInfo node, String where, String have) {
        if (!(node.getInfo() instanceof TensorInfo t)) {
            throw new BundleException(where + ": '" + node.getName() + "' is not a tensor but " + node.getInfo() + "."
                    + have);
        }
        return t;
    }

    static String describe(Map<String, NodeInfo> nodes) {
        return nodes.values().stream()
                .map(n -> n.getName() + " " + (n.getInfo() instanceof TensorInfo t ? describe(t) : n.getInfo().toString()))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    static String describe(TensorInfo t) {
        long[] shape = t.getShape();
        String[] names = t.getDimensionNames();
        StringBuilder sb = new StringBuilder(t.type.toString().toLowerCase(Locale.ROOT)).append('[');
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            boolean named = names != null && i < names.length && names[i] != null && !names[i].isEmpty();
            sb.append(shape[i] >= 0 ? Long.toString(shape[i]) : named ? names[i] : "?");
        }
        return sb.append(']').toString();
    }
}
