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

    /** An internal topic: its full name ({@code application.id} first) and configs. */
    public record Topic(String name, Map<String, String> configs) {}

    private InternalTopics() {}

    public static List<Topic> of(ClstreamConfig config) {
        List<Topic> topics = new ArrayList<>();
        topics.add(new Topic(pendingChangelog(config),
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
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
