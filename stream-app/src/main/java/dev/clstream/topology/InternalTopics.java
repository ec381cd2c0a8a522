package dev.clstream.topology;

import dev.clstream.config.ClstreamConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The internal topics Kafka Streams keeps for this topology, with the configs it gives them: the
 * changelog of the micro-batcher's store and, with label statistics, their repartition topic and
 * their window store's changelog. Embedded mode creates them before Streams starts, so that its
 * first rebalance finds them (instead of warning while the group coordinator makes them); the
 * real-cluster check reads the batcher's changelog to compare partition counts.
 */
public final class InternalTopics {
    /** Streams' default: a window store's changelog keeps a day beyond the store's own retention. */
    private static final long WINDOW_CHANGELOG_EXTRA_MS = 24 * 60 * 60 * 1000L;
    /** Streams' segment size for repartition topics, whose records it deletes itself once consumed. */
    private static final String REPARTITION_SEGMENT_BYTES = Integer.toString(50 * 1024 * 1024);

    /**
     * The configs of the micro-batcher's changelog, given to Streams with the store (so that a real cluster gets them
     * too) and used by embedded mode when it creates the topic. Every event leaves a put and, once its batch is out, a
     * tombstone; the store is in memory, so every start restores the whole changelog. Compacted with Kafka's defaults
     * (1 GiB segments, of which only closed ones are cleaned, and tombstones kept a day) it grows with the events ever
     * processed, and so does the restart. Small segments let the cleaner keep it near what is waiting now; tombstones
     * go after ten minutes, far longer than a restore of what remains takes (a reader that started from offset 0
     * before a tombstone is removed must reach it first: Kafka's {@code delete.retention.ms} contract).
     */
    public static final Map<String, String> PENDING_CHANGELOG_CONFIGS = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024),
            TopicConfig.SEGMENT_MS_CONFIG, Long.toString(10 * 60 * 1000L),
            TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(10 * 60 * 1000L));

    /** An internal topic: its full name ({@code application.id} first) and configs. */
    public record Topic(String name, Map<String, String> configs) {}

    private InternalTopics() {}

    public static List<Topic> of(ClstreamConfig config) {
        List<Topic> topics = new ArrayList<>();
        topics.add(new Topic(pendingChangelog(config), PENDING_CHANGELOG_CONFIGS));
        if (config.labelStatsEnabled()) {
            topics.add(new Topic(name(config, LabelStatistics.REPARTITION + "-repartition"),
                    Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG, "-1",
                            TopicConfig.SEGMENT_BYTES_CONFIG, REPARTITION_SEGMENT_BYTES)));
            topics.add(new Topic(name(config, LabelStatistics.STORE + "-changelog"),
                    Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT + ","
                                    + TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG, Long.toString(LabelStatistics.RETENTION.toMillis()
                                    + WINDOW_CHANGELOG_EXTRA_MS))));
        }
        return topics;
    }

    /** The changelog of the micro-batcher's store: Streams makes it with as many partitions as the input. */
    public static String pendingChangelog(ClstreamConfig config) {
        return name(config, Topologies.PENDING_STORE + "-changelog");
    }

    private static String name(ClstreamConfig config, String suffix) {
        return config.applicationId() + "-" + suffix;
    }
}
