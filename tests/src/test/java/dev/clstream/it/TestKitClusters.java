package dev.clstream.it;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Clusters from Kafka's own test kit ({@link ThreeBrokerCluster}, {@link SaslSslCluster}), set up like a small
 * production cluster: the production features, topics made on purpose, and a Streams group session of 6 s (not
 * 45 s), so that a SIGKILLed instance's tasks move on within a test's patience.
 */
final class TestKitClusters {
    private TestKitClusters() {}

    /**
     * The production features at the latest production metadata version, as {@code kafka-storage format} finalizes
     * them (transaction version 2, the Streams group protocol); {@code kraft.version} stays at the kit's, whose
     * controllers are a static quorum.
     */
    static BootstrapMetadata productionFeatures() {
        MetadataVersion mv = MetadataVersion.latestProduction();
        Map<String, Short> features = Feature.PRODUCTION_FEATURES.stream().filter(f -> f != Feature.KRAFT_VERSION)
                .collect(Collectors.toMap(Feature::featureName, f -> f.defaultLevel(mv)));
        return BootstrapMetadata.fromVersions(mv, features, "clstream-test");
    }

    /** Formats and starts {@code nodes} with the settings common to the test clusters and then {@code settings}. */
    static KafkaClusterTestKit start(TestKitNodes nodes, Map<String, Object> settings) throws Exception {
        Map<String, Object> props = new HashMap<>(Map.ofEntries(
                Map.entry("unstable.api.versions.enable", "false"),
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("group.streams.initial.rebalance.delay.ms", "0"),
                Map.entry("group.streams.min.session.timeout.ms", "6000"),
                Map.entry("group.streams.session.timeout.ms", "6000"),
                Map.entry("group.streams.min.heartbeat.interval.ms", "1000"),
                Map.entry("group.streams.heartbeat.interval.ms", "1000"),
                Map.entry("num.network.threads", "2"),
                Map.entry("num.io.threads", "2"),
                Map.entry("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024))));
        props.putAll(settings);
        KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(nodes);
        props.forEach(b::setConfigProp);
        KafkaClusterTestKit kit = b.build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return kit;
        } catch (Exception e) {
            kit.close();
            throw e;
        }
    }
}
