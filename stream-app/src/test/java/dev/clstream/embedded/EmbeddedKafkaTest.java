package dev.clstream.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @Test
    void transactionsFeaturesAndRestartInTheSameJvm() throws Exception {
        String topic = "embedded-tx";
        Path dataDir;
        int brokerPort;
        int controllerPort;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            report("first start", kafka);
            dataDir = kafka.dataDir();
            brokerPort = kafka.brokerPort();
            controllerPort = kafka.controllerPort();
            assertEquals("127.0.0.1:" + brokerPort, kafka.bootstrapServers());
            assertNotEquals(brokerPort, controllerPort);
            assertTrue(Files.isDirectory(dataDir));

            kafka.createTopics(2, topic);
            kafka.createTopics(2, topic, "embedded-other"); // existing topics are fine

            // 100 records in two transactions: the first committed, the second aborted.
            try (KafkaProducer<String, String> producer = transactionalProducer(kafka.bootstrapServers(), "embedded-tx-1")) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "committed-" + i));
                }
                producer.commitTransaction();
                producer.beginTransaction();
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "aborted-" + i));
                }
                producer.flush();
                producer.abortTransaction();
            }

            List<String> committed = readAll(kafka.bootstrapServers(), topic, "read_committed", 50);
            assertEquals(50, committed.size(), committed::toString);
            assertTrue(committed.stream().allMatch(v -> v.startsWith("committed-")), committed::toString);
            assertEquals(IntStream.range(0, 50).mapToObj(i -> "committed-" + i).sorted().toList(),
                    committed.stream().sorted().toList());
            // The aborted records were written all the same.
            List<String> everything = readAll(kafka.bootstrapServers(), topic, "read_uncommitted", 100);
            assertEquals(100, everything.size());

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                FeatureMetadata features = admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS);
                Map<String, FinalizedVersionRange> finalized = features.finalizedFeatures();
                MetadataVersion mv = MetadataVersion.latestProduction();
                assertEquals(mv.featureLevel(), finalized.get(MetadataVersion.FEATURE_NAME).maxVersionLevel());
                for (Feature f : List.of(Feature.TRANSACTION_VERSION, Feature.GROUP_VERSION, Feature.STREAMS_VERSION)) {
                    FinalizedVersionRange range = finalized.get(f.featureName());
                    assertTrue(range != null, () -> f.featureName() + " is not finalized: " + finalized);
                    assertEquals(f.defaultLevel(mv), range.maxVersionLevel(), f.featureName());
                }
                assertTrue(finalized.get(Feature.TRANSACTION_VERSION.featureName()).maxVersionLevel() >= 2,
                        "transaction.version 2 (KIP-890) is what exactly_once_v2 uses on Kafka 4");
                assertTrue(finalized.get(Feature.GROUP_VERSION.featureName()).maxVersionLevel() >= 1);
                assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
            }
        }
        // Closed: the ports are free again and the temporary directory is gone.
        assertPortFree(brokerPort);
        assertPortFree(controllerPort);
        assertFalse(Files.exists(dataDir), dataDir + " still exists");

        // A second node in the same JVM.
        EmbeddedKafka again = EmbeddedKafka.start(null);
        try {
            report("second start", again);
            again.createTopics(1, topic);
            try (KafkaProducer<String, String> producer = transactionalProducer(again.bootstrapServers(), "embedded-tx-2")) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "k", "second"));
                producer.commitTransaction();
            }
            assertEquals(List.of("second"), readAll(again.bootstrapServers(), topic, "read_committed", 1));
        } finally {
            again.close();
        }
        again.close(); // idempotent
        assertPortFree(again.brokerPort());
        assertFalse(Files.exists(again.dataDir()));
    }

    @Test
    void persistentDataDirIsReusedAcrossRestarts(@TempDir Path dir) throws Exception {
        String clusterId;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            report("persistent, new", kafka);
            clusterId = kafka.clusterId();
            kafka.createTopics(1, "kept");
            try (KafkaProducer<String, String> producer = transactionalProducer(kafka.bootstrapServers(), "kept-tx")) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("kept", "k", "survives a restart"));
                producer.commitTransaction();
            }
        }
        assertTrue(Files.exists(dir.resolve("meta.properties")), "a given data directory is kept");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            report("persistent, restarted", kafka);
            assertEquals(clusterId, kafka.clusterId());
            assertEquals(List.of("survives a restart"), readAll(kafka.bootstrapServers(), "kept", "read_committed", 1));
        }
    }

    private static void report(String what, EmbeddedKafka kafka) {
        System.out.printf("EmbeddedKafka %s: %d ms (%s)%n", what, kafka.startTime().toMillis(), kafka.bootstrapServers());
    }

    static KafkaProducer<String, String> transactionalProducer(String bootstrap, String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Reads {@code topic} from the beginning until {@code expected} values arrived (or 30 s passed), then 300 ms more. */
    static List<String> readAll(String bootstrap, String topic, String isolation, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long settle = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settle)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    values.add(r.value());
                }
                if (values.size() >= expected && settle == Long.MAX_VALUE) {
                    settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                }
            }
        }
        return values;
    }

    private static void assertPortFree(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        }
    }
}
