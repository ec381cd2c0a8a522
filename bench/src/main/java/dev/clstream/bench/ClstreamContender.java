package dev.clstream.bench;

import dev.clstream.bundle.ModelBundle;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Prediction;
import dev.clstream.tokenize.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/**
 * clstream as a stream task uses it: texts in, tokenised by the engine, {@link InferenceEngine#predict}
 * in length-sorted runs of at most {@code maxTextsPerRun} texts, h_0 out. Concurrency and intra-op
 * threads are the engine's defaults (on 2 cores: 2 runs of 1 thread each).
 */
public final class ClstreamContender implements Contender {
    private final InferenceEngine engine;
    private final List<String> texts;

    private ClstreamContender(InferenceEngine engine, List<String> texts) {
        this.engine = engine;
        this.texts = texts;
    }

    public static ClstreamContender open(ModelBundle bundle, List<String> texts, int maxTextsPerRun) {
        EncoderOptions options = EncoderOptions.builder().maxTextsPerRun(maxTextsPerRun).build();
        return new ClstreamContender(InferenceEngine.open(bundle, options), List.copyOf(texts));
    }

    public EncoderOptions options() {
        return engine.options();
    }

    /** One operation: tokenise every text and encode them all; the h_0 rows in text order. */
    @Override
    public float[][] run() {
        List<TokenizedText> tokenized = new ArrayList<>(texts.size());
        for (String t : texts) {
            tokenized.add(engine.tokenize(t));
        }
        List<Prediction> predictions = engine.predict(tokenized);
        float[][] out = new float[predictions.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = predictions.get(i).embedding();
        }
        return out;
    }

    @Override
    public void close() {
        engine.close();
    }
}
