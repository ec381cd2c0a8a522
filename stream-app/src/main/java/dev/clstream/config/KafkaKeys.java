package dev.clstream.config;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** Which keys belong to Kafka (and so pass through untouched); which hold secrets is {@link dev.clstream.secrets.Secrets}'. */
final class KafkaKeys {
    private static final Set<String> NAMES = new HashSet<>();
    private static final List<String> PREFIXES = List.of(StreamsConfig.PRODUCER_PREFIX, StreamsConfig.CONSUMER_PREFIX,
            StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.RESTORE_CONSUMER_PREFIX,
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX, StreamsConfig.TOPIC_PREFIX);

    static {
        NAMES.addAll(StreamsConfig.configDef().names());
        NAMES.addAll(ProducerConfig.configNames());
        NAMES.addAll(ConsumerConfig.configNames());
        NAMES.addAll(AdminClientConfig.configNames());
    }

    private KafkaKeys() {}

    static boolean isKafkaKey(String key) {
        return NAMES.contains(key) || PREFIXES.stream().anyMatch(p -> key.startsWith(p) && key.length() > p.length());
    }

    /**
     * Keys a plain client shares by name with Kafka Streams but that mean Streams' own setting there:
     * {@code group.protocol} is {@code classic} or {@code streams} for Streams, {@code classic} or
     * {@code consumer} for a consumer.
     */
    private static final Set<String> STREAMS_MEANING = Set.of(StreamsConfig.GROUP_PROTOCOL_CONFIG);

    /** The keys of {@code passThrough} that a client knows ({@code known}), with {@code prefix}ed ones winning. */
    static Properties clientProperties(Map<String, String> passThrough, Set<String> known, String prefix) {
        Properties p = new Properties();
        passThrough.forEach((k, v) -> {
            if (known.contains(k) && !STREAMS_MEANING.contains(k)) {
                p.put(k, v);
            }
        });
        passThrough.forEach((k, v) -> {
            if (k.startsWith(prefix) && known.contains(k.substring(prefix.length()))) {
                p.put(k.substring(prefix.length()), v);
            }
        });
        return p;
    }
}
