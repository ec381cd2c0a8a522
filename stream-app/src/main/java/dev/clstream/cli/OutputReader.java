package dev.clstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.format.OutputJsonReader;
import dev.clstream.serde.SchemaRegistryClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one of clstream's output topics as JSON trees, whatever {@code output.format} is: only
 * committed records (read_committed), all partitions, no consumer group.
 */
final class OutputReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final OutputJsonReader reader;

    OutputReader(ClstreamConfig config, String topic) {
        this(config, topic, true);
    }

    OutputReader(ClstreamConfig config, String topic, boolean fromBeginning) {
        if (!config.hasBootstrapServers()) {
            throw new IllegalArgumentException("reading " + topic + " needs bootstrap.servers (--bootstrap-servers)");
        }
        this.topic = topic;
        this.reader = config.outputFormat().reader(config.outputFormat().needsRegistry()
                ? SchemaRegistryClients.create(config.registry()) : null);
        Properties p = config.consumerProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(parts);
        if (fromBeginning) {
            consumer.seekToBeginning(parts);
        } else {
            consumer.seekToEnd(parts);
        }
    }

    /** Whatever arrived within {@code millis}, decoded. */
    List<JsonNode> poll(long millis) {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(millis))) {
            out.add(reader.read(topic, r.value()));
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
