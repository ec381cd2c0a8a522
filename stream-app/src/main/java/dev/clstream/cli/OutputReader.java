package dev.clstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.serde.AvroDeserializer;
import dev.clstream.serde.SchemaRegistryClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.generic.GenericData;
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
    private final AvroDeserializer<Object> avro;
    private final ObjectMapper json = new ObjectMapper();

    OutputReader(ClstreamConfig config, String topic) {
        this(config, topic, true);
    }

    OutputReader(ClstreamConfig config, String topic, boolean fromBeginning) {
        if (!config.hasBootstrapServers()) {
            throw new IllegalArgumentException("reading " + topic + " needs bootstrap.servers (--bootstrap-servers)");
        }
        this.topic = topic;
        this.avro = config.outputFormat().equals("avro")
                ? new AvroDeserializer<>(SchemaRegistryClients.create(config.serdeConfig())) : null;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.streamsProperties().getProperty("bootstrap.servers"));
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
            out.add(decode(r.value()));
        }
        return out;
    }

    private JsonNode decode(byte[] value) {
        try {
            return json.readTree(avro != null ? GenericData.get().toString(avro.deserialize(topic, value))
                    : new String(value, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a record of " + topic + " as JSON", e);
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
