package dev.clstream.runtime;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.embedded.EmbeddedKafka;
import dev.clstream.topology.InternalTopics;
import java.util.HashMap;
import java.util.Map;

/**
 * Embedded mode ({@code run} or {@code demo} without {@code bootstrap.servers}): a real single-node
 * Kafka broker in this JVM, the app's topics on it, and an in-JVM schema registry unless one is set.
 */
final class EmbeddedMode {
    static final String REGISTRY = "mock://clstream-embedded";
    static final int PARTITIONS = 2;

    private EmbeddedMode() {}

    /**
     * Starts the broker (registered with {@code closer}), creates the topics, and returns the
     * configuration pointed at it.
     */
    static ClstreamConfig start(ClstreamConfig requested, Closer closer) {
        EmbeddedKafka embedded = closer.register(EmbeddedKafka.start(null));
        Map<String, String> local = new HashMap<>();
        local.put("bootstrap.servers", embedded.bootstrapServers());
        if (!requested.registry().hasUrl()) {
            local.put(ClstreamConfig.SCHEMA_REGISTRY_URL, REGISTRY);
        }
        // The embedded broker finalizes streams.version: threads rejoin in seconds (see RealCluster).
        local.putAll(RealCluster.groupProtocol(requested, true));
        ClstreamConfig config = requested.with(local);
        embedded.createTopics(PARTITIONS, config.inputTopic(), config.labelsTopic(), config.embeddingsTopic(),
                config.deadLetterTopic(), config.labelStatsTopic());
        // Streams' own topics too: its first rebalance then finds them, rather than waiting (and warning) while the
        // group coordinator creates them.
        for (InternalTopics.Topic t : InternalTopics.of(config)) {
            embedded.createTopic(t.name(), PARTITIONS, t.configs());
        }
        return config;
    }
}
