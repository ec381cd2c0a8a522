package dev.clstream.runtime;

import dev.clstream.avro.TrustedClasses;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.cli.BuiltInBundles;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.embedded.EmbeddedKafka;
import dev.clstream.http.HttpEndpoint;
import dev.clstream.http.InfoDocument;
import dev.clstream.http.LivePage;
import dev.clstream.http.OpsRoutes;
import dev.clstream.http.Route;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.ParityCheck;
import dev.clstream.live.LiveWindow;
import dev.clstream.metrics.ClstreamMetrics;
import dev.clstream.topology.Topologies;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running clstream: the model, the Kafka Streams topology, its metrics and HTTP endpoint and, in
 * embedded mode (no {@code bootstrap.servers}), a real single-node Kafka broker in this JVM with an
 * in-JVM registry. Closed in reverse order of start.
 */
public final class ClstreamRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClstreamRuntime.class);
    public static final String EMBEDDED_REGISTRY = "mock://clstream-embedded";
    public static final int EMBEDDED_PARTITIONS = 2;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final ClstreamConfig config;
    private final InferenceEngine engine;
    private final KafkaStreams streams;
    private final RuntimeHealth health;
    private final HttpEndpoint http;
    private final Closer closer;

    private ClstreamRuntime(ClstreamConfig config, InferenceEngine engine, KafkaStreams streams,
                            RuntimeHealth health, HttpEndpoint http, Closer closer) {
        this.config = config;
        this.engine = engine;
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
        TrustedClasses.install();
        ModelBundle bundle = ModelBundle.load(BuiltInBundles.resolve(requested.modelBundle()));
        Closer closer = new Closer();
        try {
            ClstreamConfig config = requested;
            boolean embeddedMode = !requested.hasBootstrapServers();
            if (embeddedMode) {
                EmbeddedKafka embedded = closer.register(EmbeddedKafka.start(null));
                Map<String, String> local = new HashMap<>();
                local.put("bootstrap.servers", embedded.bootstrapServers());
                if (requested.schemaRegistryUrl().isBlank()) {
                    local.put(ClstreamConfig.SCHEMA_REGISTRY_URL, EMBEDDED_REGISTRY);
                }
                config = requested.with(local);
                embedded.createTopics(EMBEDDED_PARTITIONS, config.inputTopic(), config.labelsTopic(),
                        config.embeddingsTopic(), config.deadLetterTopic(), config.labelStatsTopic());
            }
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            closer.register(registry::close);
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            LiveWindow live = new LiveWindow(bundle.manifest().labels(), config.liveLowConfidenceThreshold());
            AtomicReference<InferenceEngine> loaded = new AtomicReference<>();
            AtomicReference<KafkaStreams> started = new AtomicReference<>();
            RuntimeHealth health = new RuntimeHealth(() -> started.get() == null ? null : started.get().state(),
                    () -> loaded.get() != null && loaded.get().isOpen());
            health.modelLoading();
            HttpEndpoint http = null;
            if (config.httpEnabled()) {
                List<Route> routes = new ArrayList<>(OpsRoutes.of(registry, health,
                        InfoDocument.of(bundle.manifest(), config)));
                routes.addAll(LivePage.routes(live));
                http = closer.register(HttpEndpoint.start(config.httpBindAddress(embeddedMode), config.httpPort(),
                        routes));
            }
            InferenceEngine engine = loadModel(bundle, requested, health, closer);
            loaded.set(engine);
            KafkaStreams streams = new KafkaStreams(Topologies.build(config, engine, Formats.decoder(config),
                    Formats.encoder(config), new ClstreamMetrics(registry, live)), config.streamsProperties());
            // Streams' own metrics (lag, process rate, commit latency...), read from its registry at each scrape.
            KafkaStreamsMetrics streamsMetrics = closer.register(new KafkaStreamsMetrics(streams));
            streamsMetrics.bindTo(registry);
            // Registered last, so closed first: Streams commits and leaves the group before anything it uses goes.
            closer.register(() -> streams.close(CLOSE_TIMEOUT));
            started.set(streams);
            // A failure that escapes the topology (a broker or registry outage, say) restarts the stream thread
            // from its last commit instead of stopping the app; bad records never get here, they are dead-lettered.
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("stream thread failed; replacing it and resuming from the last commit", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            streams.start();
            LOG.info("clstream running: model {} ({}), {} -> {} / {} / {}, bootstrap.servers={}, http={}",
                    bundle.manifest().id(), bundle.directory(), config.inputTopic(), config.labelsTopic(),
                    config.embeddingsTopic(), config.deadLetterTopic(), config.streamsProperties()
                            .getProperty("bootstrap.servers"), http == null ? "off" : http.host() + ":" + http.port());
            return new ClstreamRuntime(config, engine, streams, health, http, closer);
        } catch (RuntimeException e) {
            try {
                closer.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Opens the engine and, with {@code model.verify}, runs the bundle's parity file; readiness says how it went. */
    private static InferenceEngine loadModel(ModelBundle bundle, ClstreamConfig config, RuntimeHealth health,
                                             Closer closer) {
        try {
            InferenceEngine engine = closer.register(InferenceEngine.open(bundle, config.encoderOptions()));
            if (config.modelVerify()) {
                // Catches a bundle that loads but computes something else here (another ONNX Runtime, CPU or
                // provider) before any event is labeled with it.
                ParityCheck.requirePassing(engine).ifPresent(r -> LOG.info("{}: {}", bundle.manifest().id(),
                        r.summary()));
            }
            health.modelLoaded();
            return engine;
        } catch (RuntimeException e) {
            health.modelFailed(e.getMessage());
            throw e;
        }
    }

    public ClstreamConfig config() {
        return config;
    }

    public InferenceEngine engine() {
        return engine;
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
        return config.streamsProperties().getProperty("bootstrap.servers");
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
