package dev.clstream.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.clstream.bundle.BundleException;
import dev.clstream.tokenize.TokenizedText;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The hidden size and logits width a graph really produces, read from one plain run on a probe
 * text. The pinned output buffers need them up front, and exported graphs often declare them as
 * symbolic dimensions.
 */
record OutputWidths(int hidden, int logits) {

    static OutputWidths probe(OrtEnvironment env, OrtSession session, ModelSignature signature, TokenizedText probe,
                              int labelCount, String where) {
        long[][] ids = {probe.ids()};
        long[][] mask = {new long[probe.length()]};
        Arrays.fill(mask[0], 1L);
        Set<String> wanted = new HashSet<>(Set.of(ModelSignature.HIDDEN_OUTPUT));
        signature.logitsOutput().ifPresent(wanted::add);
        try (OnnxTensor idsT = OnnxTensor.createTensor(env, ids);
             OnnxTensor maskT = OnnxTensor.createTensor(env, mask);
             OnnxTensor typesT = signature.takesTokenTypeIds() ? OnnxTensor.createTensor(env, new long[][] {probe.typeIds()})
                     : null) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(ModelSignature.INPUT_IDS, idsT);
            inputs.put(ModelSignature.ATTENTION_MASK, maskT);
            if (typesT != null) {
                inputs.put(ModelSignature.TOKEN_TYPE_IDS, typesT);
            }
            try (OrtSession.Result result = session.run(inputs, wanted)) {
                long[] hiddenShape = shape(result, ModelSignature.HIDDEN_OUTPUT);
                if (hiddenShape.length != 3 || hiddenShape[0] != 1 || hiddenShape[1] != probe.length() || hiddenShape[2] < 1) {
                    throw new BundleException(where + ": for a 1 x " + probe.length() + " input the graph returned "
                            + ModelSignature.HIDDEN_OUTPUT + " of shape " + Arrays.toString(hiddenShape)
                            + ", expected [1, " + probe.length() + ", hidden]");
                }
                int logits = 0;
                if (signature.logitsOutput().isPresent()) {
                    String name = signature.logitsOutput().get();
                    long[] logitsShape = shape(result, name);
                    if (logitsShape.length != 2 || logitsShape[1] != labelCount) {
                        throw new BundleException(where + ": output '" + name + "' has shape "
                                + Arrays.toString(logitsShape) + " for one text, but bundle.json names "
                                + labelCount + " labels");
                    }
                    logits = (int) logitsShape[1];
                }
                return new OutputWidths((int) hiddenShape[2], logits);
            }
        } catch (OrtException e) {
            throw new BundleException(where + ": the model loads but fails on a probe text: " + e.getMessage(), e);
        }
    }

    private static long[] shape(OrtSession.Result result, String name) {
        OnnxValue v = result.get(name).orElseThrow();
        return ((OnnxTensor) v).getInfo().getShape();
    }
}
