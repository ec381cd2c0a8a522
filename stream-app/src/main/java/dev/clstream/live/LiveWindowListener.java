package dev.clstream.live;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.event.DeadLetterReason;
import dev.clstream.topology.PipelineListener;

/** Feeds the topology's work into a {@link LiveWindow}, with the ids and texts that metrics leave out. */
public final class LiveWindowListener implements PipelineListener {
    private final LiveWindow window;

    public LiveWindowListener(LiveWindow window) {
        this.window = window;
    }

    @Override
    public void modelServed(BundleManifest model) {
        window.modelServed(model.id());
    }

    @Override
    public void shadowCompared(String shadowModel, String primaryLabel, String shadowLabel) {
        window.shadowCompared(shadowModel, primaryLabel, shadowLabel);
    }

    @Override
    public void shadowSkipped() {
        window.shadowSkipped();
    }

    @Override
    public void eventIn() {
        window.eventIn();
    }

    @Override
    public void deadLetter(DeadLetterReason reason, String message, String source) {
        window.deadLetter(reason.code(), reason.stage().code(), message, source);
    }

    @Override
    public void microBatch(int events, long tokens, long paddedTokens, long inferenceNanos) {
        window.batch(events, inferenceNanos);
    }

    @Override
    public void classified(String model, String id, String text, String label, double confidence) {
        window.classified(id, text, label, confidence);
    }

    /** Unlike the metric, a latency the producer's clock makes negative still counts the event out (unrecorded). */
    @Override
    public void processed(long eventTimeMs, long outputTimeMs) {
        window.processed(outputTimeMs - eventTimeMs);
    }
}
