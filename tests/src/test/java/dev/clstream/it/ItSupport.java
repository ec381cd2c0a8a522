package dev.clstream.it;

import dev.clstream.avro.TextEvent;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.serde.RegistrySettings;
import dev.clstream.serde.SchemaRegistryClient;
import dev.clstream.serde.SchemaRegistryClients;
import dev.clstream.testing.KafkaTestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Small helpers shared by the ITs. */
final class ItSupport {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** Words of the tiny test tokenizer's vocabulary and a few it does not know, for varied texts. */
    private static final String[] WORDS = {"the", "cat", "sat", "on", "mat", "dog", "ran", "a", "free", "cruise",
            "meeting", "review", "click", "now", "win", "hello", "world", "zebra", "quartz", "3pm"};

    private ItSupport() {}

    /** target/it-work (failsafe sets clstream.it.work), created. */
    static Path workDir() {
        Path dir = Path.of(System.getProperty("clstream.it.work", "target/it-work"));
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code lines} lines of a log file, or a note that it cannot be read. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /** A short text of known and unknown words, seeded by {@code i}: at most 5 words and i, under 64 bytes. */
    static String text(int i) {
        SplittableRandom rnd = new SplittableRandom(i * 7919L + 17);
        int n = 2 + rnd.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < n; k++) {
            sb.append(k == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        return sb.append(' ').append(i).toString();
    }

    static SchemaRegistryClient registryClient() {
        return SchemaRegistryClients.create(Map.of(RegistrySettings.SCHEMA_REGISTRY_URL, SchemaRegistryServer.url()));
    }

    /** A value serializer for TextEvents through the real registry (registers {@code <topic>-value}). */
    static AvroSerializer<TextEvent> textEventSerializer() {
        return new AvroSerializer<>(registryClient());
    }

    static TextEvent event(String id, String text) {
        return TextEvent.newBuilder().setId(id).setText(text).build();
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "it-producer");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * The label statistics' total count in {@code topic} as collected so far: each record is its window's total so
     * far, so the last one per key (label and window) counts.
     */
    static long labelStatisticsTotal(OutputCollector out, String topic) {
        Map<String, Long> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : out.records(topic)) {
            try {
                latest.put(new String(r.key(), StandardCharsets.UTF_8), JSON.readTree(r.value()).get("count").asLong());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return latest.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Sends {@code n} JSON events to {@code topic}, ids {@code idPrefix + i} (also the keys), texts {@link #text}(i);
     * each id's text, in sending order.
     */
    static Map<String, String> produceJsonEvents(String topic, int n, String idPrefix) {
        Map<String, String> textOf = new java.util.LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(KafkaTestCluster.bootstrapServers())) {
            for (int i = 0; i < n; i++) {
                String id = idPrefix + i;
                textOf.put(id, text(i));
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic,
                        id.getBytes(StandardCharsets.UTF_8), JSON.writeValueAsBytes(Map.of("id", id, "text", text(i)))));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return textOf;
    }

    /** The first {@code n} records of {@code topic} (read_committed, all partitions), failing after 30 s. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int n) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestCluster.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, java.time.Duration.ofSeconds(10)).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            awaitOrFail(30_000, () -> {
                c.poll(java.time.Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= n;
            }, () -> topic + ": " + out.size() + " of " + n + " records");
        }
        return out;
    }

    /** Sets one topic config on an existing topic and waits for the broker to take it. */
    static void setTopicConfig(String topic, String key, String value) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaTestCluster.bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(key, value),
                    AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("cannot set " + key + "=" + value + " on topic " + topic + ": " + e, e);
        }
    }

    /** One topic config's value as the broker reports it (its default when the topic does not set it). */
    static String topicConfig(String topic, String key) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaTestCluster.bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get(key)
                    .value();
        } catch (Exception e) {
            throw new AssertionError("cannot read " + key + " of topic " + topic + ": " + e, e);
        }
    }

    /**
     * Creates topics on the shared cluster and waits until a client sees all their partitions in its metadata (a
     * topic created a moment ago may not be in the broker's metadata yet).
     */
    static void createTopics(int partitions, String... names) {
        KafkaTestCluster.createTopics(partitions, names);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestCluster.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (String name : names) {
                awaitOrFail(30_000, () -> {
                    List<PartitionInfo> ps = c.partitionsFor(name, java.time.Duration.ofSeconds(5));
                    return ps != null && ps.size() == partitions && ps.stream().allMatch(pi -> pi.leader() != null && !pi.leader().isEmpty());
                }, () -> "topic " + name + " has no metadata for its " + partitions + " partitions");
            }
        }
    }

    /** An app's five topics, named uniquely on the shared cluster. */
    record Topics(String input, String labels, String embeddings, String deadLetters, String labelStats) {
        /** The configuration keys that name them. */
        Map<String, String> settings() {
            return Map.of(ClstreamConfig.INPUT_TOPIC, input, ClstreamConfig.LABELS_TOPIC, labels,
                    ClstreamConfig.EMBEDDINGS_TOPIC, embeddings, ClstreamConfig.DEAD_LETTER_TOPIC, deadLetters,
                    ClstreamConfig.LABEL_STATS_TOPIC, labelStats);
        }

        /** Labels, embeddings and dead letters: what an {@link OutputCollector} reads. */
        String[] outputs() {
            return new String[] {labels, embeddings, deadLetters};
        }
    }

    /** Creates an app's topics, {@code partitions} each: {@code prefix-in}, {@code prefix-labels} and so on, made unique. */
    static Topics createAppTopics(String prefix, int partitions) {
        return createAppTopics(prefix, partitions, partitions);
    }

    /**
     * Settings of an in-process app on the test cluster: {@code topics}, a unique application id from {@code app},
     * its state under {@code stateDir}, JSON in and out, HTTP on a free port. A mutable map, for the test's own keys.
     */
    static Map<String, String> jsonAppSettings(Topics topics, String app, Path stateDir) {
        Map<String, String> s = new HashMap<>(topics.settings());
        s.put("bootstrap.servers", KafkaTestCluster.bootstrapServers());
        s.put("application.id", KafkaTestCluster.uniqueName(app));
        s.put("state.dir", stateDir.toString());
        s.put(ClstreamConfig.INPUT_FORMAT, "json");
        s.put(ClstreamConfig.OUTPUT_FORMAT, "json");
        s.put(ClstreamConfig.HTTP_PORT, "0");
        return s;
    }

    /** Creates an app's topics: the input with {@code inputPartitions}, the outputs with {@code outputPartitions}. */
    static Topics createAppTopics(String prefix, int inputPartitions, int outputPartitions) {
        Topics t = new Topics(KafkaTestCluster.uniqueName(prefix + "-in"), KafkaTestCluster.uniqueName(prefix + "-labels"),
                KafkaTestCluster.uniqueName(prefix + "-embeddings"), KafkaTestCluster.uniqueName(prefix + "-dead-letters"),
                KafkaTestCluster.uniqueName(prefix + "-label-stats"));
        createTopics(inputPartitions, t.input());
        createTopics(outputPartitions, t.labels(), t.embeddings(), t.deadLetters(), t.labelStats());
        return t;
    }

    /** Sum of the end offsets of {@code topic}'s partitions (read_uncommitted: every record written). */
    static long endOffsetSum(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo pi : c.partitionsFor(topic)) {
                tps.add(new TopicPartition(topic, pi.partition()));
            }
            return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Waits until {@code done} or the timeout; false on timeout. */
    static boolean await(long timeoutMs, BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            sleep(50);
        }
        return done.getAsBoolean();
    }

    /** Waits until {@code done}, failing with {@code what} (evaluated late, so it can show the state) on timeout. */
    static void awaitOrFail(long timeoutMs, BooleanSupplier done, Supplier<String> what) {
        if (!await(timeoutMs, done)) {
            throw new AssertionError("timed out after " + timeoutMs + " ms: " + what.get());
        }
    }

    /** A port no one listens on now (for a child app's fixed http.port). */
    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
