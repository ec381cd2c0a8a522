package dev.clstream.runtime;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.ServingEngine;
import dev.clstream.serde.SchemaRegistryClient;
import dev.clstream.serde.SchemaRegistryClients;
import dev.clstream.topology.PipelineListener;
import dev.clstream.topology.Topologies;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;

/** The Kafka Streams application: the topology over the configured formats, and how its failures are handled. */
final class StreamsApp {
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private StreamsApp() {}

    /** Builds the topology and its KafkaStreams, not started. */
    static KafkaStreams create(ClstreamConfig config, ServingEngine serving, PipelineListener listener, Hooks hooks,
                               RuntimeHealth health, Runnable registryRetried) {
        // One registry client for both directions, only when a format speaks Avro.
        SchemaRegistryClient registry = config.needsRegistry()
                ? hooks.registry().apply(SchemaRegistryClients.create(config.registry(), registryRetried)) : null;
        KafkaStreams streams = new KafkaStreams(Topologies.build(config, serving, config.inputFormat().decoder(registry),
                config.outputFormat().encoder(registry, config.registry().autoRegister()), listener),
                config.streamsProperties());
        streams.setUncaughtExceptionHandler(new ThreadFailures(health));
        return streams;
    }
}
