package dev.clstream.topology;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.event.DeadLetterReason;

/**
 * What the topology tells about its work, once per event or once per micro-batch, never per token:
 * Micrometer's meters and the live page's window each listen ({@link #all} combines them). Every
 * method does nothing by default, so a listener implements what it shows.
 */
public interface PipelineListener {
    /** Listens to nothing: tests and tools that do not watch the pipeline. */
    PipelineListener NONE = new PipelineListener() {};

    /** The outputs an event is written to. */
    enum Output {
        LABELS("labels"), EMBEDDINGS("embeddings"), DEAD_LETTERS("dead_letters");

        private final String code;

        Output(String code) {
            this.code = code;
        }

        /** The name metrics tag the output with. */
        public String code() {
            return code;
        }
    }

    /** The bundle the topology serves: when it is built, and again whenever a new model version is swapped in. */
    default void modelServed(BundleManifest model) {}

    /** A version of a model repository refused by its checks ({@code reason}); the serving version goes on. */
    default void modelRefused(String version, String reason) {}

    /**
     * The shadow model ran on a sampled event: its top label against the serving model's. {@code shadowLabel} is
     * null when the shadow could not classify the text (it refused it, or its encoder failed on it).
     */
    default void shadowCompared(String shadowModel, String primaryLabel, String shadowLabel) {}

    /** What {@link #shadowCompared} and its readers say for a text the shadow model could not classify. */
    String NO_LABEL = "(none)";

    /** A sampled event the shadow model had no room for (it is behind): left out of its figures. */
    default void shadowSkipped() {}

    /** One input record read, good or bad. */
    default void eventIn() {}

    /** One record written to the labels or embeddings topic. */
    default void eventOut(Output output) {}

    /**
     * One record dead-lettered (it counts as written to {@link Output#DEAD_LETTERS} too).
     *
     * @param message what was wrong with it
     * @param source where it came from, {@code topic-partition@offset}
     */
    default void deadLetter(DeadLetterReason reason, String message, String source) {}

    /** One event tokenised, in {@code nanos}. */
    default void tokenized(long nanos) {}

    /** One text cut at the bundle's max length. */
    default void truncated() {}

    /**
     * One micro-batch through the encoder.
     *
     * @param tokens real tokens in the micro-batch
     * @param paddedTokens the token grid the encoder ran over (each run's rows times its longest row)
     */
    default void microBatch(int events, long tokens, long paddedTokens, long inferenceNanos) {}

    /** Failed encoder runs were retried, {@code retries} times in one micro-batch. */
    default void inferenceRetried(int retries) {}

    /**
     * {@code count} labeled events counted by the label statistics after their repartition: under exactly-once Streams
     * reads only committed records, so this counts committed work, where the other output counts include work whose
     * transaction was later aborted.
     */
    default void labelsCommitted(long count) {}

    /** A labeled event left out of the label statistics, and why. */
    default void labelStatsSkipped(String why) {}

    /** One classified event: the model (name@version) that computed it, its top label and that label's probability. */
    default void classified(String model, String id, String text, String label, double confidence) {}

    /** One event written to its outputs, at {@code outputTimeMs}; {@code eventTimeMs} is its event time (or record timestamp). */
    default void processed(long eventTimeMs, long outputTimeMs) {}

    /** Every listener hears every call, in order. */
    static PipelineListener all(PipelineListener... listeners) {
        return new AllListeners(listeners.clone());
    }
}
