package dev.clstream.runtime;

import dev.clstream.avro.TrustedClasses;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.cli.BuiltInBundles;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.embedded.EmbeddedKafka;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.ParityCheck;
import dev.clstream.topology.Topologies;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running clstream: the model, the Kafka Streams topology and, in embedded mode (no
 * {@code bootstrap.servers}), a real single-node Kafka broker in this JVM with an in-JVM registry.
 * Closed in reverse order of start.
 */
public final class ClstreamRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClstreamRuntime.class);
    public static final String EMBEDDED_REGISTRY = "mock://clstream-embedded";
    public static final int EMBEDDED_PARTITIONS = 2;

    private final ClstreamConfig config;
    private final EmbeddedKafka embedded;
    private final InferenceEngine engine;
    private final KafkaStreams streams;

    private ClstreamRuntime(ClstreamConfig config, EmbeddedKafka embedded, InferenceEngine engine,
                            KafkaStreams streams) {
        this.config = config;
        this.embedded = embedded;
        this.engine = engine;
        this.streams = streams;
    }

    /** Loads the model, starts the embedded broker if needed, then the topology. Fails fast on any bad setting. */
    public static ClstreamRuntime start(ClstreamConfig requested) {
        TrustedClasses.install();
        ModelBundle bundle = ModelBundle.load(BuiltInBundles.resolve(requested.modelBundle()));
        InferenceEngine engine = InferenceEngine.open(bundle, requested.encoderOptions());
        EmbeddedKafka embedded = null;
        try {
            if (requested.modelVerify()) {
                // Catches a bundle that loads but computes something else here (another ONNX Runtime, CPU or
                // provider) before any event is labeled with it.
                ParityCheck.requirePassing(engine).ifPresent(r -> LOG.info("{}: {}", bundle.manifest().id(),
                        r.summary()));
            }
            ClstreamConfig config = requested;
            if (!requested.hasBootstrapServers()) {
                embedded = EmbeddedKafka.start(null);
                Map<String, String> local = new HashMap<>();
                local.put("bootstrap.servers", embedded.bootstrapServers());
                if (requested.schemaRegistryUrl().isBlank()) {
                    local.put(ClstreamConfig.SCHEMA_REGISTRY_URL, EMBEDDED_REGISTRY);
                }
                config = requested.with(local);
                embedded.createTopics(EMBEDDED_PARTITIONS, config.inputTopic(), config.labelsTopic(),
                        config.embeddingsTopic(), config.deadLetterTopic());
            }
            KafkaStreams streams = new KafkaStreams(Topologies.build(config, engine, Formats.decoder(config),
                    Formats.encoder(config)), config.streamsProperties());
            // A failure that escapes the topology (a broker or registry outage, say) restarts the stream thread
            // from its last commit instead of stopping the app; bad records never get here, they are dead-lettered.
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("stream thread failed; replacing it and resuming from the last commit", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            streams.start();
            LOG.info("clstream running: model {} ({}), {} -> {} / {} / {}, bootstrap.servers={}",
                    bundle.manifest().id(), bundle.directory(), config.inputTopic(), config.labelsTopic(),
                    config.embeddingsTopic(), config.deadLetterTopic(), config.streamsProperties()
                            .getProperty("bootstrap.servers"));
            return new ClstreamRuntime(config, embedded, engine, streams);
        } catch (RuntimeException e) {
            engine.close();
            if (embedded != null) {
                embedded.close();
            }
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

    @Override
    public void close() {
        try {
            streams.close(Duration.ofSeconds(30));
        } finally {
            try {
                engine.close();
            } finally {
                if (embedded != null) {
                    embedded.close();
                }
            }
        }
    }
}
