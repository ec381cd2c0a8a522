package dev.clstream.runtime;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.topology.InternalTopics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics the app reads and writes on a real cluster, as its configuration names them: checked
 * at start-up (missing ones fail it, naming each and the command that creates them), created by
 * {@code clstream topics create} (or at start-up with {@code topics.create=true}) and shown by
 * {@code clstream topics describe}.
 */
public final class AppTopics {
    /** Dead letters wait for people: 30 days, not the broker's 7. */
    static final String DEAD_LETTER_RETENTION_MS = Long.toString(TimeUnit.DAYS.toMillis(30));
    private static final Logger LOG = LoggerFactory.getLogger(AppTopics.class);
    static final long TIMEOUT_S = 30;
    /** The topic configs {@code describe} shows. */
    static final String MAX_MESSAGE_BYTES = TopicConfig.MAX_MESSAGE_BYTES_CONFIG;
    private static final List<String> SHOWN_CONFIGS = List.of(TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.RETENTION_MS_CONFIG, MAX_MESSAGE_BYTES, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);

    public enum Role {
        INPUT("input"), LABELS("labels"), EMBEDDINGS("embeddings"), DEAD_LETTERS("dead letters"),
        LABEL_STATS("label statistics"), SHADOW("shadow results");

        private final String description;

        Role(String description) {
            this.description = description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** One topic of the app: its role, name, and the configs {@code topics create} gives it. */
    public record Spec(Role role, String name, Map<String, String> configs) {}

    /** A topic as the cluster has it; {@code partitions} 0 when it is missing. */
    public record State(Spec spec, boolean exists, int partitions, int replicationFactor, Map<String, String> configs) {}

    private AppTopics() {}

    /** The app's topics, as enabled: input, labels, embeddings, dead letters, label statistics, shadow results. */
    public static List<Spec> of(ClstreamConfig config) {
        List<Spec> specs = new ArrayList<>();
        specs.add(new Spec(Role.INPUT, config.inputTopic(), Map.of()));
        if (config.labelsEnabled()) {
            specs.add(new Spec(Role.LABELS, config.labelsTopic(), Map.of()));
        }
        if (config.embeddingsEnabled()) {
            specs.add(new Spec(Role.EMBEDDINGS, config.embeddingsTopic(), Map.of()));
        }
        specs.add(new Spec(Role.DEAD_LETTERS, config.deadLetterTopic(),
                Map.of(TopicConfig.RETENTION_MS_CONFIG, DEAD_LETTER_RETENTION_MS)));
        if (config.labelStatsEnabled()) {
            // A record is its window's total so far: the latest per key is the answer, so compaction keeps it.
            specs.add(new Spec(Role.LABEL_STATS, config.labelStatsTopic(),
                    Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        }
        if (!config.shadowTopic().isEmpty()) {
            specs.add(new Spec(Role.SHADOW, config.shadowTopic(), Map.of()));
        }
        return specs;
    }

    /** Each topic of the app as the cluster has it. */
    public static List<State> describe(Admin admin, ClstreamConfig config) {
        List<Spec> specs = of(config);
        Map<String, TopicDescription> found = descriptions(admin, specs.stream().map(Spec::name).toList());
        Map<String, Map<String, String>> configs = configs(admin, found.keySet());
        return specs.stream().map(s -> {
            TopicDescription d = found.get(s.name());
            return d == null ? new State(s, false, 0, 0, Map.of())
                    : new State(s, true, d.partitions().size(), d.partitions().get(0).replicas().size(),
                    configs.getOrDefault(s.name(), Map.of()));
        }).toList();
    }

    /**
     * Creates the app's missing topics and says, a line per topic, what it did. Partitions default to
     * the input topic's when it exists, else the broker's default; the replication factor to the
     * broker's. Topics that exist are left as they are.
     */
    public static List<String> create(Admin admin, ClstreamConfig config, Optional<Integer> partitions,
                                      Optional<Short> replicationFactor) {
        List<State> states = describe(admin, config);
        Optional<Integer> count = partitions.or(() -> states.stream().filter(s -> s.spec().role() == Role.INPUT
                && s.exists()).map(State::partitions).findFirst());
        List<String> done = new ArrayList<>();
        Map<String, KafkaFuture<Void>> creating = new LinkedHashMap<>();
        for (State s : states) {
            if (s.exists()) {
                done.add(String.format("exists   %-40s %s, %d partitions", s.spec().name(), s.spec().role(),
                        s.partitions()));
                continue;
            }
            NewTopic topic = new NewTopic(s.spec().name(), count, replicationFactor).configs(s.spec().configs());
            creating.put(s.spec().name(), admin.createTopics(List.of(topic)).values().get(s.spec().name()));
            done.add(String.format("created  %-40s %s, %s partitions, replication %s%s", s.spec().name(),
                    s.spec().role(), count.map(String::valueOf).orElse("the broker's default"),
                    replicationFactor.map(String::valueOf).orElse("the broker's default"),
                    s.spec().configs().isEmpty() ? "" : ", " + s.spec().configs()));
        }
        creating.forEach((name, f) -> {
            try {
                await(f, "creating topic " + name);
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        });
        return done;
    }

    /**
     * Fails, naming what is wrong and what to do, when a topic of the app is missing, or when the input
     * has another partition count than the state Kafka Streams keeps for it (its changelog), which
     * Streams cannot repartition.
     */
    public static List<State> requireReady(Admin admin, ClstreamConfig config) {
        List<State> states = describe(admin, config);
        List<State> missing = states.stream().filter(s -> !s.exists()).toList();
        if (!missing.isEmpty()) {
            throw new TopicsNotReadyException("missing topic" + (missing.size() == 1 ? "" : "s") + " on "
                    + config.bootstrapServers() + ": " + missing.stream().map(s -> s.spec().name() + " ("
                    + s.spec().role() + ")").collect(Collectors.joining(", ")) + ". Create them with: clstream topics "
                    + "create --bootstrap-servers " + config.bootstrapServers() + " [-c FILE] [--partitions N] "
                    + "[--replication-factor R], or set " + ClstreamConfig.TOPICS_CREATE + "=true");
        }
        int inputPartitions = states.stream().filter(s -> s.spec().role() == Role.INPUT).findFirst().orElseThrow()
                .partitions();
        String changelog = InternalTopics.pendingChangelog(config);
        TopicDescription state = descriptions(admin, List.of(changelog)).get(changelog);
        if (state != null && state.partitions().size() != inputPartitions) {
            throw new TopicsNotReadyException("the input topic " + config.inputTopic() + " has " + inputPartitions
                    + " partitions, but application " + config.applicationId() + " keeps its state for "
                    + state.partitions().size() + " (" + changelog + "): Kafka Streams cannot move that state to "
                    + "other partitions. Restore the input's partition count, or start over: stop every instance, run "
                    + "kafka-streams-application-reset --application-id " + config.applicationId()
                    + " (it deletes the internal topics), or choose a new application.id");
        }
        return states;
    }

    private static Map<String, TopicDescription> descriptions(Admin admin, Collection<String> names) {
        Map<String, TopicDescription> out = new LinkedHashMap<>();
        admin.describeTopics(names).topicNameValues().forEach((name, f) -> {
            try {
                out.put(name, await(f, "describing topic " + name));
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
        });
        return out;
    }

    private static Map<String, Map<String, String>> configs(Admin admin, Collection<String> names) {
        if (names.isEmpty()) {
            return Map.of();
        }
        List<ConfigResource> resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n))
                .toList();
        Map<ConfigResource, Config> all = await(admin.describeConfigs(resources).all(), "describing topic configs");
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        all.forEach((r, c) -> {
            Map<String, String> shown = new LinkedHashMap<>();
            for (String key : SHOWN_CONFIGS) {
                ConfigEntry e = c.get(key);
                if (e != null) {
                    shown.put(key, e.value());
                }
            }
            out.put(r.name(), shown);
        });
        return out;
    }

    private static <T> T await(KafkaFuture<T> f, String what) {
        try {
            return f.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + ": no answer from the cluster within " + TIMEOUT_S + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted " + what, e);
        }
    }
}
