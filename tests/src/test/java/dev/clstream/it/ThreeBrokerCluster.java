package dev.clstream.it;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Three brokers and a KRaft controller from Kafka's own test kit, set up as a small production cluster:
 * replication factor 3 for every topic, {@code min.insync.replicas} 2, the production features (transaction version
 * 2, the Streams group protocol) as {@code kafka-storage format} would finalize them. Only the Streams group's session
 * timeout is short (6 s, not 45 s), so that a SIGKILLed instance's tasks move on within a test's patience.
 */
final class ThreeBrokerCluster implements AutoCloseable {
    static final int NODES = 3;
    static final short REPLICATION = 3;

    private final KafkaClusterTestKit kit;
    private final Admin admin;

    private ThreeBrokerCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
        this.admin = kit.admin();
    }

    static ThreeBrokerCluster start() throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder(TestKitClusters.productionFeatures())
                .setCombined(false).setNumBrokerNodes(NODES).setNumControllerNodes(1).build();
        return new ThreeBrokerCluster(TestKitClusters.start(nodes, Map.ofEntries(
                Map.entry("offsets.topic.replication.factor", "3"),
                Map.entry("transaction.state.log.replication.factor", "3"),
                Map.entry("transaction.state.log.min.isr", "2"),
                Map.entry("default.replication.factor", "3"),
                Map.entry("min.insync.replicas", "2"),
                Map.entry("offsets.topic.num.partitions", "6"),
                Map.entry("transaction.state.log.num.partitions", "6"),
                // A stopped broker hands nothing over first (crashAndRestartBroker): as after a crash.
                Map.entry("controlled.shutdown.enable", "false"))));
    }

    String bootstrapServers() {
        return kit.bootstrapServers();
    }

    Admin admin() {
        return admin;
    }

    List<Integer> brokerIds() {
        return List.copyOf(new java.util.TreeSet<>(kit.brokers().keySet()));
    }

    /**
     * Stops broker {@code id} without a controlled shutdown (controlled.shutdown.enable=false: its partitions'
     * leadership is not moved away first), as close to a crash as an in-process broker gets, and starts it again on
     * the same log directories after {@code downMs}.
     */
    void crashAndRestartBroker(int id, long downMs) throws Exception {
        kafka.server.BrokerServer broker = kit.brokers().get(id);
        broker.shutdown(java.time.Duration.ZERO);
        ItSupport.sleep(downMs);
        broker.startup();
        kit.waitForReadyBrokers();
    }

    /** Creates the topics, replicated on every node, and waits for them. */
    void createTopics(int partitions, String... names) throws Exception {
        admin.createTopics(List.of(names).stream().map(n -> new NewTopic(n, partitions, REPLICATION)).toList())
                .all().get();
        ItSupport.awaitOrFail(30_000, () -> {
            try {
                return admin.describeTopics(List.of(names)).allTopicNames().get().values().stream()
                        .allMatch(d -> d.partitions().size() == partitions
                                && d.partitions().stream().allMatch(p -> p.leader() != null));
            } catch (Exception e) {
                return false;
            }
        }, () -> "topics " + List.of(names) + " not ready");
    }

    @Override
    public void close() throws Exception {
        try {
            admin.close();
        } finally {
            kit.close();
        }
    }
}
