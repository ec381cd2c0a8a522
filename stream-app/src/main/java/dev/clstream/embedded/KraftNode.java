package dev.clstream.embedded;

import static dev.clstream.embedded.EmbeddedKafka.HOST;
import static dev.clstream.embedded.EmbeddedKafka.NODE_ID;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * The embedded node's storage and settings: formatted as {@code kafka-storage format} would, and
 * configured as one combined broker and controller on loopback. Kafka's internal {@link Formatter}
 * stays here and in {@link EmbeddedKafka}, pinned to the Kafka version of the parent POM.
 */
final class KraftNode {
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private KraftNode() {}

    /** Formats {@code dir} as node {@link EmbeddedKafka#NODE_ID} unless it is formatted already; returns the cluster id. */
    static String format(Path dir) {
        Path metaProperties = dir.resolve("meta.properties");
        if (Files.exists(metaProperties)) {
            Properties meta = new Properties();
            try (var in = Files.newInputStream(metaProperties)) {
                meta.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + metaProperties, e);
            }
            String nodeId = meta.getProperty("node.id");
            if (!String.valueOf(NODE_ID).equals(nodeId)) {
                throw new IllegalStateException(dir + " holds Kafka storage of node " + nodeId
                        + ", not of an embedded clstream node (" + NODE_ID + ")");
            }
            return meta.getProperty("cluster.id");
        }
        MetadataVersion metadataVersion = MetadataVersion.latestProduction();
        String clusterId = Uuid.randomUuid().toString();
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setNodeId(NODE_ID)
                .setClusterId(clusterId)
                .setDirectories(List.of(dir.toString()))
                .setMetadataLogDirectory(dir.toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(metadataVersion)
                .setUnstableFeatureVersionsEnabled(false);
        // What kafka-storage format does by default, made explicit. kraft.version follows from the static quorum (0).
        for (Feature feature : Feature.PRODUCTION_FEATURES) {
            if (feature != Feature.KRAFT_VERSION) {
                formatter.setFeatureLevel(feature.featureName(), feature.defaultLevel(metadataVersion));
            }
        }
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format embedded Kafka storage in " + dir + ": " + e.getMessage(), e);
        }
        return clusterId;
    }

    static Properties config(Path dir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", dir.toString());
        p.put("unstable.api.versions.enable", "false");
        // A single node: every internal topic has one replica, or exactly_once_v2 and groups cannot work.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // Fewer internal partitions than production's 50: creating them is most of the first group/transaction's cost.
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        // One node, one app: waiting for more members before the first assignment only delays it (3 s by default).
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("group.streams.initial.rebalance.delay.ms", "0");
        // An app killed with its node (kill -9, a crash) is still a member when both restart: its tasks wait until its
        // session expires, 45 s by default. Six seconds, with a heartbeat every second, as a local dev node can afford.
        p.put("group.streams.min.session.timeout.ms", "6000");
        p.put("group.streams.session.timeout.ms", "6000");
        p.put("group.streams.min.heartbeat.interval.ms", "1000");
        p.put("group.streams.heartbeat.interval.ms", "1000");
        // As on most production clusters: topics are created on purpose (the app's own check needs that to be true).
        p.put("auto.create.topics.enable", "false");
        // A dev node shares the machine with the classifier: few threads, a small log-cleaner buffer (128 MiB default).
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        return p;
    }

    /** Distinct loopback ports that are free now (held open together so that they differ). */
    static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            InetAddress loopback = InetAddress.getByName(HOST);
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(loopback, 0));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free loopback ports for embedded Kafka", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing held
                }
            }
        }
    }
}
