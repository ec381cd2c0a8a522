package dev.clstream.bench;

import dev.clstream.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The broker of the multi-process benches: a KRaft node (the one embedded mode runs) in the bench's own JVM, so that
 * the app instances, child JVMs, share no process with it and their CPU time is their own.
 */
final class BenchCluster implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final Admin admin;

    private BenchCluster(EmbeddedKafka kafka) {
        this.kafka = kafka;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    static BenchCluster start() {
        return new BenchCluster(EmbeddedKafka.start(null));
    }

    String bootstrap() {
        return kafka.bootstrapServers();
    }

    /**
     * Records the broker (in this JVM) has appended to each topic whose name starts with {@code prefix}, from producers
     * (its {@code MessagesInPerSec} meters' counts; transaction markers are not records and not counted).
     */
    static Map<String, Long> recordsIn(String prefix) throws Exception {
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        Map<String, Long> out = new java.util.TreeMap<>();
        for (javax.management.ObjectName name : server.queryNames(new javax.management.ObjectName(
                "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=*"), null)) {
            String topic = name.getKeyProperty("topic");
            if (topic.startsWith(prefix)) {
                out.put(topic, ((Number) server.getAttribute(name, "Count")).longValue());
            }
        }
        return out;
    }

    void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
    }

    /** Writes {@code n} events, key {@code PREFIX-i}, value the text itself ({@code input.format=text}). */
    void produce(String topic, int n, String prefix, List<String> texts) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, (prefix + "-" + i).getBytes(StandardCharsets.UTF_8),
                        texts.get(i % texts.size()).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    /** The bytes a topic holds on the broker's disk, all partitions. */
    long topicBytes(String topic) throws InterruptedException, ExecutionException {
        long bytes = 0;
        List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList();
        for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
            for (LogDirDescription d : dirs.values()) {
                bytes += d.replicaInfos().entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                        .mapToLong(e -> e.getValue().size()).sum();
            }
        }
        return bytes;
    }

    @Override
    public void close() {
        admin.close();
        kafka.close();
    }
}
