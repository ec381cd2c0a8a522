package dev.clstream.runtime;

import dev.clstream.http.HealthCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The running app's health. Live until shutdown begins: a broker outage or a rebalance makes the
 * app not ready, never dead, since Streams recovers from those by itself and a restart would only
 * add a rebalance. Ready only while Streams is RUNNING and the model is loaded. The endpoint is up
 * before the model loads, so a probe sees why the app is not ready yet (a large model or a GPU
 * provider can take a while), or why it failed to load before the process exits.
 */
final class RuntimeHealth implements HealthCheck {
    private final Supplier<KafkaStreams.State> streamsState;
    private final BooleanSupplier modelLoaded;
    private volatile boolean shuttingDown;
    private volatile String modelProblem;

    RuntimeHealth(Supplier<KafkaStreams.State> streamsState, BooleanSupplier modelLoaded) {
        this.streamsState = streamsState;
        this.modelLoaded = modelLoaded;
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

    @Override
    public boolean live() {
        return !shuttingDown;
    }

    @Override
    public List<String> notReadyBecause() {
        List<String> reasons = new ArrayList<>();
        if (shuttingDown) {
            reasons.add("shutting down");
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
        return reasons;
    }
}
