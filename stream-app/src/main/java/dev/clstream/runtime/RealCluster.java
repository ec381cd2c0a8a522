package dev.clstream.runtime;

import dev.clstream.config.ClstreamConfig;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code run} checks and settles with a real cluster before anything else: its topics
 * ({@link AppTopics}: created when {@code topics.create} says so, else required), the largest record
 * its topics take, and the group protocol it supports.
 */
final class RealCluster {
    private static final Logger LOG = LoggerFactory.getLogger(RealCluster.class);
    static final String GROUP_PROTOCOL = StreamsConfig.GROUP_PROTOCOL_CONFIG;
    private static final String STREAMS_FEATURE = "streams.version";

    private RealCluster() {}

    /**
     * Returns the configuration to run with: the producer's {@code max.request.size} lowered to the
     * smallest {@code max.message.bytes} of the app's topics, so that the app sizes its records for
     * them; and, unless {@code group.protocol} is set, the Streams rebalance protocol (KIP-1071) where
     * the cluster supports it: a replaced stream thread rejoins in seconds instead of waiting out a
     * session timeout.
     */
    static ClstreamConfig prepare(ClstreamConfig config) {
        Map<String, String> settled = new HashMap<>();
        try (Admin admin = Admin.create(config.adminProperties())) {
            if (!answers(admin)) {
                // An app may well start before its cluster (a pod before the brokers): Streams waits for the cluster,
                // and readiness says it is not RUNNING. Missing topics are then reported by Streams itself.
                LOG.warn("the Kafka cluster at {} did not answer within {} s: its topics are not checked; Kafka Streams "
                        + "waits for the cluster", config.bootstrapServers(), AppTopics.TIMEOUT_S);
                return config;
            }
            if (config.topicsCreate()) {
                AppTopics.create(admin, config, Optional.empty(), Optional.empty())
                        .forEach(line -> LOG.info("topic {}", line));
            }
            List<AppTopics.State> states = AppTopics.requireReady(admin, config);
            smallestMessageLimit(states).filter(limit -> limit < config.maxRequestSize()).ifPresent(limit -> {
                LOG.info("the app's topics take records of at most {} bytes ({}): the app sizes its records for that",
                        limit, AppTopics.MAX_MESSAGE_BYTES);
                settled.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Long.toString(limit));
            });
            if (!config.streamsProperties().containsKey(GROUP_PROTOCOL)) {
                boolean streams = supportsStreamsGroups(admin);
                settled.putAll(groupProtocol(config, streams));
                if (!streams) {
                    LOG.info("the cluster does not finalize {}: the classic group protocol is used", STREAMS_FEATURE);
                }
            }
        }
        return settled.isEmpty() ? config : config.with(settled);
    }

    /**
     * The group protocol, unless {@code group.protocol} is set: the Streams protocol when the cluster
     * supports it, else the classic one. The Streams protocol has no warm-up replicas: a
     * {@code max.warmup.replicas} the user set is ignored, and said so here (Kafka's own line about it
     * shows at every start, set or not, so {@link KafkaNoticeFilter} keeps that one off the console).
     */
    static Map<String, String> groupProtocol(ClstreamConfig config, boolean clusterSupportsStreams) {
        Properties set = config.streamsProperties();
        if (set.containsKey(GROUP_PROTOCOL)) {
            return Map.of();
        }
        if (!clusterSupportsStreams) {
            return Map.of(GROUP_PROTOCOL, "classic");
        }
        if (set.containsKey(StreamsConfig.MAX_WARMUP_REPLICAS_CONFIG)) {
            LOG.warn("{} is ignored under the Streams group protocol (KIP-1071); set group.protocol=classic to use "
                    + "warm-up replicas", StreamsConfig.MAX_WARMUP_REPLICAS_CONFIG);
        }
        return Map.of(GROUP_PROTOCOL, "streams");
    }

    private static boolean answers(Admin admin) {
        try {
            admin.describeCluster().clusterId().get(AppTopics.TIMEOUT_S, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            // It answered, if only with an error (authorization, say): the topic checks report that properly.
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reaching the Kafka cluster", e);
        }
    }

    private static Optional<Long> smallestMessageLimit(List<AppTopics.State> states) {
        return states.stream().map(s -> s.configs().get(AppTopics.MAX_MESSAGE_BYTES)).filter(v -> v != null)
                .map(Long::parseLong).min(Comparator.naturalOrder());
    }

    private static boolean supportsStreamsGroups(Admin admin) {
        try {
            FinalizedVersionRange v = admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS)
                    .finalizedFeatures().get(STREAMS_FEATURE);
            return v != null && v.maxVersionLevel() >= 1;
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("cannot read the cluster's features ({}): the classic group protocol is used", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the cluster's features", e);
        }
    }
}
