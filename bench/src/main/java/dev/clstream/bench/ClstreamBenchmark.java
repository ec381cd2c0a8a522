package dev.clstream.bench;

import dev.clstream.bundle.ModelBundle;
import java.util.List;

/** clstream's engine, tokenisation included: scores are sequences/s. */
public class ClstreamBenchmark extends EncoderContenderBenchmark {
    @Override
    protected Contender open(ModelBundle bundle, List<String> texts, int batchSize) {
        return ClstreamContender.open(bundle, texts, batchSize);
    }
}
