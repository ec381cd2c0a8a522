package dev.clstream.testing;

import static java.util.stream.Collectors.toMap;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Kafka cluster (KRaft, one combined broker + controller, {@link KafkaClusterTestKit}) shared by every test of
 * the test JVM, started on first use and closed by JUnit at the end of the run.
 *
 * <p>Use it as an extension, then the static helpers:
 *
 * <pre>{@code
 * @ExtendWith(KafkaTestCluster.class)
 * class MyStreamTest {
 *     @Test void works() {
 *         String in = KafkaTestCluster.uniqueName("in"), out = KafkaTestCluster.uniqueName("out");
 *         KafkaTestCluster.createTopics(2, in, out);
 *         props.put("bootstrap.servers", KafkaTestCluster.bootstrapServers());
 *         props.put("application.id", KafkaTestCluster.uniqueName("app"));
 *         ...
 * }</pre>
 *
 * <p>The extension registers the JVM-wide {@link Shared} holder in JUnit's root store, which JUnit closes when the
 * whole run ends (not after each class), so the cluster starts once per test JVM (about 3-6 s; later tests pay
 * nothing) and stops deterministically. The static helpers refuse to start it when no extension has registered it;
 * outside JUnit, take {@link #shared()} in try-with-resources instead. Tests share the cluster: give every test its own
 * topics and application ids ({@link #uniqueName}).
 *
 * <p>The cluster is production-like, unlike the kit's defaults: {@link MetadataVersion#latestProduction()} with the
 * default production level of every production feature (transactions, consumer and Streams groups finalized as
 * {@code kafka-storage format} would), {@code unstable.api.versions.enable=false}, and single-node replication settings
 * so that {@code exactly_once_v2} works. The kit prints a few "Formatting ..." lines to stdout; that cannot be turned
 * off.
 */
public final class KafkaTestCluster implements BeforeAllCallback, BeforeEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaTestCluster.class);
    private static final Shared SHARED = new Shared();
    private static final AtomicLong NAMES = new AtomicLong();

    /** For {@code @ExtendWith}; the cluster itself is JVM-wide. */
    public KafkaTestCluster() {}

    /** Registers the shared cluster in the root store so that JUnit closes it at the end of the run. */
    @Override
    public void beforeAll(ExtensionContext context) {
        register(context);
    }

    /** The same, for an extension registered on an instance field with {@code @RegisterExtension}. */
    @Override
    public void beforeEach(ExtensionContext context) {
        register(context);
    }

    private static void register(ExtensionContext context) {
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Shared.class, k -> SHARED.managedByJUnit(), Shared.class);
    }

    /**
     * The JVM-wide holder, started lazily. Outside a JUnit run that uses the extension, the caller closes it
     * (try-with-resources); a closed holder starts a fresh cluster on its next use.
     */
    public static Shared shared() {
        SHARED.managedByCaller();
        return SHARED;
    }

    /** The shared cluster's {@code bootstrap.servers}, starting the cluster on first use. */
    public static String bootstrapServers() {
        return SHARED.requireManaged().bootstrapServers();
    }

    /** Creates topics on the shared cluster ({@code partitions} each, one replica); existing topics are fine. */
    public static void createTopics(int partitions, String... names) {
        SHARED.requireManaged().createTopics(partitions, names);
    }

    /**
     * A name unique in this JVM run (and practically across runs), for a test's topics, application id or transactional
     * id: {@code prefix-<n>-<random>}. Characters not allowed in a topic name become {@code -}.
     */
    public static String uniqueName(String prefix) {
        String clean = prefix.replaceAll("[^a-zA-Z0-9._-]", "-");
        return clean + "-" + NAMES.incrementAndGet() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
    }

    /**
     * The JVM-wide cluster. Implements both {@link AutoCloseable} (what JUnit 5.13+ closes in a store) and the older
     * {@link ExtensionContext.Store.CloseableResource}; JUnit calls one of them, and {@link #close()} is idempotent.
     */
    @SuppressWarnings("deprecation")
    public static final class Shared implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        private KafkaClusterTestKit kit;
        private Admin admin;
        private boolean managed;
        private long startMillis = -1;

        private Shared() {}

        synchronized Shared managedByJUnit() {
            managed = true;
            return this;
        }

        synchronized void managedByCaller() {
            managed = true;
        }

        synchronized Shared requireManaged() {
            if (!managed) {
                throw new IllegalStateException("KafkaTestCluster is not registered: annotate the test class with "
                        + "@ExtendWith(KafkaTestCluster.class) so that JUnit closes the cluster at the end of the run, "
                        + "or hold KafkaTestCluster.shared() in try-with-resources");
            }
            return this;
        }

        /** {@code bootstrap.servers} of the cluster, starting it on first use. */
        public synchronized String bootstrapServers() {
            return started().bootstrapServers();
        }

        /** Creates topics ({@code partitions} each, one replica) and waits for them; existing topics are fine. */
        public synchronized void createTopics(int partitions, String... names) {
            started();
            List<NewTopic> topics = Arrays.stream(names).distinct().map(n -> new NewTopic(n, partitions, (short) 1)).toList();
            for (Map.Entry<String, ? extends Future<Void>> e : admin.createTopics(topics).values().entrySet()) {
                try {
                    e.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey(), ex.getCause());
                    }
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topic " + e.getKey(), ex);
                } catch (TimeoutException ex) {
                    throw new IllegalStateException("timed out creating topic " + e.getKey(), ex);
                }
            }
        }

        /** An admin client of the cluster, owned by this holder (do not close it). */
        public synchronized Admin admin() {
            started();
            return admin;
        }

        /** How long the cluster took to start (format, startup, brokers ready), or -1 when it has not started. */
        public synchronized long startMillis() {
            return startMillis;
        }

        private KafkaClusterTestKit started() {
            if (kit == null) {
                long t0 = System.nanoTime();
                kit = start();
                startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers(),
                        AdminClientConfig.CLIENT_ID_CONFIG, "clstream-test-admin"));
            }
            return kit;
        }

        private static KafkaClusterTestKit start() {
            MetadataVersion mv = MetadataVersion.latestProduction();
            Map<String, Short> features = Feature.PRODUCTION_FEATURES.stream()
                    .collect(toMap(Feature::featureName, f -> f.defaultLevel(mv)));
            KafkaClusterTestKit kit = null;
            try {
                TestKitNodes nodes = new TestKitNodes.Builder(BootstrapMetadata.fromVersions(mv, features, "testkit"))
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build();
                kit = new KafkaClusterTestKit.Builder(nodes)
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("unstable.api.versions.enable", "false")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .build();
                kit.format();
                kit.startup();
                kit.waitForReadyBrokers();
                return kit;
            } catch (Exception e) {
                if (kit != null) {
                    try {
                        kit.close();
                    } catch (Exception closeFailure) {
                        e.addSuppressed(closeFailure);
                    }
                }
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("cannot start the shared Kafka test cluster: " + e, e);
            }
        }

        /**
         * Stops the cluster if it runs; a later use starts a fresh one (which whoever registered the holder closes in
         * turn). Idempotent.
         */
        @Override
        public synchronized void close() {
            Admin a = admin;
            KafkaClusterTestKit k = kit;
            admin = null;
            kit = null;
            startMillis = -1;
            try {
                if (a != null) {
                    a.close();
                }
            } finally {
                if (k != null) {
                    try {
                        k.close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while closing the shared Kafka test cluster", e);
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot close the shared Kafka test cluster: " + e, e);
                    }
                }
            }
        }
    }
}
