package dev.clstream.runtime;

import dev.clstream.http.HealthCheck;
import dev.clstream.topology.PipelineListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The running app's health, as probes should act on it.
 *
 * <p><b>Live</b> unless a restart would help: shutdown has begun, Kafka Streams has stopped for good
 * (ERROR, or NOT_RUNNING without a shutdown), or stream threads failed and were replaced
 * {@code health.max.thread.replacements} times within {@code health.thread.replacement.window.ms}
 * (a crash loop). A broker outage or a rebalance is not death: Streams recovers from those itself.
 *
 * <p><b>Ready</b> only while Streams is RUNNING, the model is loaded, and the encoder works: not after
 * a stream thread failed because of the encoder (until a micro-batch goes through again), nor while
 * an encoder run has been in flight past its hard limit. The endpoint is up before the model loads,
 * so a probe sees why the app is not ready yet, or why it failed to load before the process exits.
 */
final class RuntimeHealth implements HealthCheck, PipelineListener {
    private final Supplier<KafkaStreams.State> streamsState;
    private final BooleanSupplier modelLoaded;
    private final LongSupplier oldestRunMillis;
    private final long hardLimitMs;
    private final int maxReplacements;
    private final long windowMs;
    private final Deque<Long> replacements = new ArrayDeque<>();
    private long replacementsTotal;
    private volatile boolean shuttingDown;
    private volatile String modelProblem;
    private volatile String encoderProblem;

    RuntimeHealth(Supplier<KafkaStreams.State> streamsState, BooleanSupplier modelLoaded, LongSupplier oldestRunMillis,
                  long hardLimitMs, int maxReplacements, long windowMs) {
        this.streamsState = streamsState;
        this.modelLoaded = modelLoaded;
        this.oldestRunMillis = oldestRunMillis;
        this.hardLimitMs = hardLimitMs;
        this.maxReplacements = maxReplacements;
        this.windowMs = windowMs;
    }

    void shuttingDown() {
        shuttingDown = true;
    }

    void modelLoading() {
        modelProblem = "the model is loading";
    }

    void modelFailed(String why) {
        modelProblem = "the model failed to load: " + why;
    }

    void modelLoaded() {
        modelProblem = null;
    }

    /** A stream thread failed and is being replaced; {@code encoder} when the encoder was at fault. */
    synchronized void threadFailed(long nowMs, String why, boolean encoder) {
        replacements.addLast(nowMs);
        replacementsTotal++;
        if (encoder) {
            encoderProblem = "the encoder is failing: " + why;
        }
    }

    /** Stream threads replaced since start. */
    synchronized long threadReplacements() {
        return replacementsTotal;
    }

    /** A micro-batch went through the encoder: it works again. */
    @Override
    public void microBatch(int events, long tokens, long paddedTokens, long inferenceNanos) {
        encoderProblem = null;
    }

    @Override
    public List<String> notLiveBecause() {
        List<String> reasons = new ArrayList<>();
        if (shuttingDown) {
            reasons.add("shutting down");
            return reasons;
        }
        KafkaStreams.State state = streamsState.get();
        if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                || state == KafkaStreams.State.NOT_RUNNING) {
            reasons.add("Kafka Streams is " + state + ": no stream thread is left to process");
        }
        int recent = recentReplacements(System.currentTimeMillis());
        if (recent >= maxReplacements) {
            reasons.add(recent + " stream threads failed and were replaced in the last " + windowMs / 1000
                    + " s (health.max.thread.replacements = " + maxReplacements + "): the app is in a crash loop");
        }
        return reasons;
    }

    private synchronized int recentReplacements(long nowMs) {
        while (!replacements.isEmpty() && replacements.peekFirst() < nowMs - windowMs) {
            replacements.removeFirst();
        }
        return replacements.size();
    }

    @Override
    public List<String> notReadyBecause() {
        List<String> reasons = new ArrayList<>(notLiveBecause());
        if (shuttingDown) {
            return reasons;
        }
        KafkaStreams.State state = streamsState.get();
        if (state == null) {
            reasons.add("Kafka Streams has not started");
        } else if (state != KafkaStreams.State.RUNNING) {
            reasons.add("Kafka Streams is " + state + ", not RUNNING");
        }
        String problem = modelProblem;
        if (problem != null) {
            reasons.add(problem);
        } else if (!modelLoaded.getAsBoolean()) {
            reasons.add("the model is not loaded");
        }
        String encoder = encoderProblem;
        if (encoder != null) {
            reasons.add(encoder);
        }
        long running = oldestRunMillis.getAsLong();
        if (running > hardLimitMs) {
            reasons.add("an encoder run has been in flight for " + running + " ms, over its hard limit of " + hardLimitMs
                    + " ms (a stalled device?)");
        }
        return reasons;
    }
}
