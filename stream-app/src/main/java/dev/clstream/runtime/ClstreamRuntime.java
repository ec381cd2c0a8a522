package dev.clstream.runtime;

import dev.clstream.avro.TrustedClasses;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.http.HttpEndpoint;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.ServingEngine;
import dev.clstream.topology.PipelineListener;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running clstream: in embedded mode (no {@code bootstrap.servers}) a real single-node Kafka
 * broker in this JVM ({@link EmbeddedMode}), then its metrics, health and HTTP endpoint
 * ({@link Observability}), the model ({@link ServingModel}) and the Kafka Streams topology
 * ({@link StreamsApp}). Closed in reverse order of start.
 */
public final class ClstreamRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClstreamRuntime.class);

    private final ClstreamConfig config;
    private final ServingEngine serving;
    private final KafkaStreams streams;
    private final RuntimeHealth health;
    private final HttpEndpoint http;
    private final Closer closer;

    private ClstreamRuntime(ClstreamConfig config, ServingEngine serving, KafkaStreams streams,
                            RuntimeHealth health, HttpEndpoint http, Closer closer) {
        this.config = config;
        this.serving = serving;
        this.streams = streams;
        this.health = health;
        this.http = http;
        this.closer = closer;
    }

    /**
     * Reads the bundle's manifest, starts the embedded broker if needed, the HTTP endpoint (when
     * enabled, so that probes can see the model load), loads the model, then starts the topology.
     * Fails fast on any bad setting or a model that does not load, closing whatever had started.
     */
    public static ClstreamRuntime start(ClstreamConfig requested) {
        return start(requested, Hooks.NONE);
    }

    /** {@link #start(ClstreamConfig)} with test seams in place (see {@link Hooks}). */
    public static ClstreamRuntime start(ClstreamConfig requested, Hooks hooks) {
        TrustedClasses.install();
        ServingModel model = ServingModel.locate(requested, hooks);
        Closer closer = new Closer();
        try {
            boolean embedded = !requested.hasBootstrapServers();
            ClstreamConfig config = embedded ? EmbeddedMode.start(requested, closer) : RealCluster.prepare(requested);
            AtomicReference<ServingEngine> loaded = new AtomicReference<>();
            AtomicReference<KafkaStreams> started = new AtomicReference<>();
            RuntimeHealth health = new RuntimeHealth(() -> started.get() == null ? null : started.get().state(),
                    () -> loaded.get() != null && loaded.get().current().isOpen(),
                    () -> loaded.get() == null ? 0 : loaded.get().oldestRunMillis(),
                    config.microBatch().hardLimitMs(),
                    config.maxThreadReplacements(), config.threadReplacementWindowMs());
            health.modelLoading();
            Observability observability = Observability.start(config, embedded, model.firstManifest(), health, closer);
            closer.register(model);
            ServingEngine serving = model.start(health, observability.listener());
            loaded.set(serving);
            observability.watch(model, serving);
            ShadowModel shadow = ShadowModel.start(config, observability.listener());
            if (shadow != null) {
                closer.register(shadow);
            }
            KafkaStreams streams = StreamsApp.create(config, serving, shadow == null
                    ? PipelineListener.all(observability.listener(), health)
                    : PipelineListener.all(observability.listener(), health, shadow),
                    hooks, health, observability.registryRetries());
            observability.watch(streams);
            // Registered last, so closed first: Streams finishes the micro-batch in flight, commits, and leaves the
            // group (at once, not a session timeout later) before anything it uses goes.
            closer.register(() -> streams.close(CloseOptions.groupMembershipOperation(
                    CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(StreamsApp.CLOSE_TIMEOUT)));
            started.set(streams);
            streams.start();
            HttpEndpoint http = observability.http();
            LOG.info("clstream running: model {} ({}), {} -> {} / {} / {}, bootstrap.servers={}, http={}",
                    serving.current().manifest().id(), model.repository().map(dir -> "repository " + dir)
                            .orElseGet(() -> serving.current().bundle().directory().toString()),
                    config.inputTopic(), config.labelsTopic(),
                    config.embeddingsTopic(), config.deadLetterTopic(), config.bootstrapServers(),
                    http == null ? "off" : http.host() + ":" + http.port() + " (http.auth.token "
                            + (config.http().authToken() == null ? "unset" : "set") + ", event texts on the live page "
                            + (config.live().showTexts(embedded) ? "shown" : "hidden") + ")");
            return new ClstreamRuntime(config, serving, streams, health, http, closer);
        } catch (RuntimeException e) {
            try {
                closer.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public ClstreamConfig config() {
        return config;
    }

    /** The engine of the model version serving now. */
    public InferenceEngine engine() {
        return serving.current();
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** The port the HTTP endpoint is bound to (the picked one for {@code http.port=0}); empty when disabled. */
    public OptionalInt httpPort() {
        return http == null ? OptionalInt.empty() : OptionalInt.of(http.port());
    }

    /** The HTTP endpoint's base URL as a local client reaches it; empty when disabled. */
    public Optional<String> httpUrl() {
        if (http == null) {
            return Optional.empty();
        }
        String host = http.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) {
            host = "localhost";
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return Optional.of("http://" + host + ":" + http.port());
    }

    public String bootstrapServers() {
        return config.bootstrapServers();
    }

    /** Blocks until Streams is RUNNING or the timeout passes; false on timeout or failure. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State s = streams.state();
            if (s == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /**
     * Stops in order: readiness turns 503 first, so load balancers and probes see the shutdown while
     * Streams commits and leaves the group; then everything else in reverse order of start.
     */
    @Override
    public void close() {
        health.shuttingDown();
        closer.close();
    }
}
