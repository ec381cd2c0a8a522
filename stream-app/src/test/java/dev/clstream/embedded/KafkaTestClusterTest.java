package dev.clstream.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.testing.KafkaTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaTestCluster.class)
class KafkaTestClusterTest {

    @Test
    void exactlyOnceV2StreamsAppEndToEnd(@TempDir Path stateDir) throws Exception {
        String in = KafkaTestCluster.uniqueName("upper-in");
        String out = KafkaTestCluster.uniqueName("upper-out");
        KafkaTestCluster.createTopics(2, in, out);
        KafkaTestCluster.createTopics(2, in); // idempotent
        System.out.printf("KafkaTestCluster start: %d ms (%s)%n",
                KafkaTestCluster.shared().startMillis(), KafkaTestCluster.bootstrapServers());

        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
                .mapValues(v -> v.toUpperCase(java.util.Locale.ROOT))
                .to(out, Produced.with(Serdes.String(), Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, KafkaTestCluster.uniqueName("upper-app"));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestCluster.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

        int n = 20;
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            long t0 = System.nanoTime();
            streams.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
                assertNotEquals(KafkaStreams.State.ERROR, streams.state());
                Thread.sleep(50);
            }
            assertEquals(KafkaStreams.State.RUNNING, streams.state());
            System.out.printf("Kafka Streams (exactly_once_v2) running after %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestCluster.bootstrapServers());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < n; i++) {
                    producer.send(new ProducerRecord<>(in, "k" + i, "hello " + i));
                }
            }

            List<ConsumerRecord<String, String>> records = readCommitted(out, n);
            assertEquals(n, records.size(), records::toString);
            Map<String, String> got = new java.util.HashMap<>();
            records.forEach(r -> got.put(r.key(), r.value()));
            IntStream.range(0, n).forEach(i -> assertEquals("HELLO " + i, got.get("k" + i)));
            System.out.printf("Kafka Streams (exactly_once_v2) %d records end to end after %d ms%n", n,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }

    @Test
    void sharedClusterIsProductionLike() throws Exception {
        String bootstrap = KafkaTestCluster.bootstrapServers();
        assertEquals(bootstrap, KafkaTestCluster.shared().bootstrapServers(), "one cluster per JVM");
        Map<String, FinalizedVersionRange> finalized = KafkaTestCluster.shared().admin().describeFeatures()
                .featureMetadata().get(30, TimeUnit.SECONDS).finalizedFeatures();
        MetadataVersion mv = MetadataVersion.latestProduction();
        assertEquals(mv.featureLevel(), finalized.get(MetadataVersion.FEATURE_NAME).maxVersionLevel());
        for (Feature f : List.of(Feature.TRANSACTION_VERSION, Feature.GROUP_VERSION, Feature.STREAMS_VERSION)) {
            assertNotNull(finalized.get(f.featureName()), f.featureName());
            assertEquals(f.defaultLevel(mv), finalized.get(f.featureName()).maxVersionLevel(), f.featureName());
        }
        String a = KafkaTestCluster.uniqueName("Some Test#name");
        String b = KafkaTestCluster.uniqueName("Some Test#name");
        assertNotEquals(a, b);
        assertTrue(a.matches("[a-zA-Z0-9._-]+"), a);
    }

    /** The records of {@code topic}, read_committed, once {@code expected} arrived (or 60 s passed). */
    private static List<ConsumerRecord<String, String>> readCommitted(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestCluster.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    values.add(r);
                }
            }
        }
        return values;
    }
}
