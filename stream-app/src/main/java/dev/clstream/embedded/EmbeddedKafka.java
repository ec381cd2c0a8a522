package dev.clstream.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, combined broker + controller) running inside this JVM, for clstream's embedded dev
 * mode: {@code clstream run} without {@code bootstrap.servers}.
 *
 * <p>The node listens on 127.0.0.1 only, on two free ports chosen at start (broker and controller). Storage is
 * formatted like {@code kafka-storage format} would: {@link MetadataVersion#latestProduction()} and the default
 * production level of every production feature, so {@code transaction.version}, {@code group.version} and
 * {@code streams.version} are finalized and exactly-once, the consumer group protocol and the Streams protocol work.
 * Replication settings are those of a single node ({@code offsets.topic.replication.factor=1},
 * {@code transaction.state.log.replication.factor=1}, {@code transaction.state.log.min.isr=1}), so Kafka Streams can run
 * with {@code processing.guarantee=exactly_once_v2}.
 *
 * <p>Start time (format, startup, broker seen by an admin client), measured on a 2-core machine: 3-6 s for the first
 * node in a JVM, most of it class loading and JIT; 0.4-0.9 s for a later one in the same JVM; reusing a formatted data
 * directory costs about the same. Close takes about 0.3 s. The server's threads are not daemons: always
 * {@link #close()} it (after closing Kafka Streams and any clients).
 *
 * <p><b>Internal APIs.</b> {@link KafkaRaftServer}, {@link KafkaConfig} and {@link Formatter} are Kafka's internal
 * server classes: they are pinned to the Kafka version of the parent POM and every use of them stays in this class and {@link KraftNode}. A
 * fatal fault in the server (a corrupt metadata log, for example) makes Kafka call {@code Exit.halt}, which ends the
 * JVM.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** How long {@link #start} waits for the broker to be seen by an admin client. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    static final String HOST = "127.0.0.1";
    static final int NODE_ID = 1;
    private static final int BIND_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean deleteDataDir;
    private final String clusterId;
    private final int brokerPort;
    private final int controllerPort;
    private final Duration startTime;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, boolean deleteDataDir, String clusterId,
                          int brokerPort, int controllerPort, Duration startTime) {
        this.server = server;
        this.dataDir = dataDir;
        this.deleteDataDir = deleteDataDir;
        this.clusterId = clusterId;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.startTime = startTime;
    }

    /**
     * Formats {@code dataDir} (unless it already holds this node's storage, which is then reused with its topics) and
     * starts the node; returns once an admin client sees the broker.
     *
     * @param dataDir where the node keeps its logs and metadata, or {@code null} for a temporary directory that
     *     {@link #close()} deletes
     * @throws IllegalStateException when the node does not start or is not seen within {@link #START_TIMEOUT}
     */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, null);
    }

    /**
     * Like {@link #start(Path)}, on the given ports: a node restarted on the ports and data directory of
     * one that was closed is the same broker to its clients (a broker outage and its recovery, say).
     */
    public static EmbeddedKafka start(Path dataDir, int brokerPort, int controllerPort) {
        return start(java.util.Objects.requireNonNull(dataDir, "a restarted node needs its data directory"),
                new int[] {brokerPort, controllerPort});
    }

    private static EmbeddedKafka start(Path dataDir, int[] fixedPorts) {
        long t0 = System.nanoTime();
        boolean temporary = dataDir == null;
        Path dir;
        try {
            dir = temporary ? Files.createTempDirectory("clstream-kafka-") : Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the embedded Kafka data directory " + dataDir, e);
        }
        try {
            String clusterId = KraftNode.format(dir);
            for (int attempt = 1; ; attempt++) {
                int[] ports = fixedPorts != null ? fixedPorts : KraftNode.freePorts(2);
                KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(KraftNode.config(dir, ports[0], ports[1]), false),
                        Time.SYSTEM);
                try {
                    server.startup();
                    awaitBroker(ports[0], t0);
                } catch (RuntimeException e) {
                    try {
                        stop(server);
                    } catch (RuntimeException stopFailure) {
                        e.addSuppressed(stopFailure);
                    }
                    if (fixedPorts == null && attempt < BIND_ATTEMPTS && causedByBind(e)) {
                        log.debug("Embedded Kafka: a chosen port was taken meanwhile, retrying", e);
                        continue;
                    }
                    throw e;
                }
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                EmbeddedKafka kafka = new EmbeddedKafka(server, dir, temporary, clusterId, ports[0], ports[1], took);
                log.info("Embedded Kafka ready at {} (KRaft, cluster {}, data in {}, started in {} ms)",
                        kafka.bootstrapServers(), clusterId, dir, took.toMillis());
                return kafka;
            }
        } catch (RuntimeException | Error e) {
            if (temporary) {
                deleteRecursively(dir);
            }
            throw e;
        }
    }

    /** {@code 127.0.0.1:port} of the broker listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** From {@link #start} being called to the broker being seen by an admin client. */
    public Duration startTime() {
        return startTime;
    }

    /**
     * Creates the topics with {@code partitions} partitions each (replication factor 1) and waits for them; topics
     * that already exist are left as they are.
     */
    public void createTopics(int partitions, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        create(Arrays.stream(names).distinct().map(n -> new NewTopic(n, partitions, (short) 1)).toList());
    }

    /** Creates one topic with these topic configs, like {@link #createTopics}. */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        create(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)));
    }

    private void create(List<NewTopic> topics) {
        try (Admin admin = Admin.create(adminConfig(bootstrapServers()))) {
            createTopics(admin, topics);
        }
    }

    /** Shuts the node down and waits for it; deletes the data directory when it is a temporary one. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop(server);
        } finally {
            if (deleteDataDir) {
                deleteRecursively(dataDir);
            }
        }
        log.debug("Embedded Kafka at {} stopped", bootstrapServers());
    }

    private static void createTopics(Admin admin, List<NewTopic> topics) {
        Map<String, ? extends Future<Void>> results = admin.createTopics(topics).values();
        for (var e : results.entrySet()) {
            try {
                e.getValue().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause(), ex.getCause());
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + e.getKey(), ex);
            } catch (TimeoutException ex) {
                throw new IllegalStateException("timed out creating topic " + e.getKey(), ex);
            }
        }
    }

    private static void awaitBroker(int brokerPort, long t0) {
        String bootstrap = HOST + ":" + brokerPort;
        long deadline = t0 + START_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(adminConfig(bootstrap))) {
            while (System.nanoTime() < deadline) {
                try {
                    var nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    if (nodes.stream().map(Node::id).anyMatch(id -> id == NODE_ID)) {
                        return;
                    }
                    last = null;
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for embedded Kafka at " + bootstrap, e);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for embedded Kafka at " + bootstrap, e);
                }
            }
        }
        throw new IllegalStateException("embedded Kafka at " + bootstrap + " was not ready within "
                + START_TIMEOUT.toSeconds() + " s" + (last == null ? "" : ": " + last), last);
    }

    static Map<String, Object> adminConfig(String bootstrap) {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "clstream-embedded-admin",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30000);
    }

    private static void stop(KafkaRaftServer server) {
        try {
            server.shutdown();
        } finally {
            server.awaitShutdown();
        }
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("failed to bind")) {
                return true;
            }
        }
        return false;
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("Could not delete the embedded Kafka directory {}: {}", dir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", cluster " + clusterId + ", " + dataDir + "]";
    }
}
