package dev.clstream.runtime;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.serde.SchemaRegistryClient;
import dev.clstream.serde.SchemaRegistryClients;
import dev.clstream.topology.PipelineListener;
import dev.clstream.topology.Topologies;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Kafka Streams application: the topology over the configured formats, and how its failures are handled. */
final class StreamsApp {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private StreamsApp() {}

    /** Builds the topology and its KafkaStreams, not started. */
    static KafkaStreams create(ClstreamConfig config, InferenceEngine engine, PipelineListener listener) {
        // One registry client for both directions, only when a format speaks Avro.
        SchemaRegistryClient registry = config.needsRegistry() ? SchemaRegistryClients.create(config.registry()) : null;
        KafkaStreams streams = new KafkaStreams(Topologies.build(config, engine, config.inputFormat().decoder(registry),
                config.outputFormat().encoder(registry, config.registry().autoRegister()), listener),
                config.streamsProperties());
        // A failure that escapes the topology (a broker or registry outage, say) restarts the stream thread
        // from its last commit instead of stopping the app; bad records never get here, they are dead-lettered.
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; replacing it and resuming from the last commit", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        return streams;
    }
}
