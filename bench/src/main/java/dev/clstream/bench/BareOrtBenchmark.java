package dev.clstream.bench;

import dev.clstream.bundle.ModelBundle;
import java.util.List;

/** A bare session.run loop over the same pre-tokenised, length-sorted batches: scores are sequences/s. */
public class BareOrtBenchmark extends EncoderContenderBenchmark {
    @Override
    protected Contender open(ModelBundle bundle, List<String> texts, int batchSize) {
        return BareOrtContender.open(bundle, texts, batchSize);
    }
}
