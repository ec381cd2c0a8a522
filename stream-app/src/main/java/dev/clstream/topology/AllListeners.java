package dev.clstream.topology;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.event.DeadLetterReason;

/** The listeners of {@link PipelineListener#all}; plain loops, so that a call allocates nothing on the hot path. */
final class AllListeners implements PipelineListener {
    private final PipelineListener[] each;

    AllListeners(PipelineListener[] each) {
        this.each = each;
    }

    @Override
    public void modelServed(BundleManifest model) {
        for (PipelineListener l : each) {
            l.modelServed(model);
        }
    }

    @Override
    public void modelRefused(String version, String reason) {
        for (PipelineListener l : each) {
            l.modelRefused(version, reason);
        }
    }

    @Override
    public void shadowCompared(String shadowModel, String primaryLabel, String shadowLabel) {
        for (PipelineListener l : each) {
            l.shadowCompared(shadowModel, primaryLabel, shadowLabel);
        }
    }

    @Override
    public void shadowSkipped() {
        for (PipelineListener l : each) {
            l.shadowSkipped();
        }
    }

    @Override
    public void eventIn() {
        for (PipelineListener l : each) {
            l.eventIn();
        }
    }

    @Override
    public void eventOut(Output output) {
        for (PipelineListener l : each) {
            l.eventOut(output);
        }
    }

    @Override
    public void deadLetter(DeadLetterReason reason, String message, String source) {
        for (PipelineListener l : each) {
            l.deadLetter(reason, message, source);
        }
    }

    @Override
    public void tokenized(long nanos) {
        for (PipelineListener l : each) {
            l.tokenized(nanos);
        }
    }

    @Override
    public void truncated() {
        for (PipelineListener l : each) {
            l.truncated();
        }
    }

    @Override
    public void microBatch(int events, long tokens, long paddedTokens, long inferenceNanos) {
        for (PipelineListener l : each) {
            l.microBatch(events, tokens, paddedTokens, inferenceNanos);
        }
    }

    @Override
    public void inferenceRetried(int retries) {
        for (PipelineListener l : each) {
            l.inferenceRetried(retries);
        }
    }

    @Override
    public void labelsCommitted(long count) {
        for (PipelineListener l : each) {
            l.labelsCommitted(count);
        }
    }

    @Override
    public void labelStatsSkipped(String why) {
        for (PipelineListener l : each) {
            l.labelStatsSkipped(why);
        }
    }

    @Override
    public void classified(String model, String id, String text, String label, double confidence) {
        for (PipelineListener l : each) {
            l.classified(model, id, text, label, confidence);
        }
    }

    @Override
    public void processed(long eventTimeMs, long outputTimeMs) {
        for (PipelineListener l : each) {
            l.processed(eventTimeMs, outputTimeMs);
        }
    }
}
