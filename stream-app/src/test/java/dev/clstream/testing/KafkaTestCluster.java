package dev.clstream.testing;

import dev.clstream.embedded.EmbeddedKafka;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Kafka cluster (KRaft, one combined broker + controller) shared by every test of the test JVM, started on
 * first use and closed by JUnit at the end of the run. It is the app's own embedded broker ({@link EmbeddedKafka}), so
 * tests and {@code clstream run}'s embedded mode run the same Kafka the same way.
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
 * <p>The cluster is production-like: the latest production metadata version with the default production level of
 * every production feature (transactions, consumer and Streams groups finalized as {@code kafka-storage format} would),
 * {@code unstable.api.versions.enable=false}, and single-node replication settings so that {@code exactly_once_v2}
 * works (see {@link EmbeddedKafka}).
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
        private EmbeddedKafka kafka;
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
            started().createTopics(partitions, names);
        }

        /** An admin client of the cluster, owned by this holder (do not close it). */
        public synchronized Admin admin() {
            started();
            return admin;
        }

        /** How long the cluster took to start (format, startup, broker ready), or -1 when it has not started. */
        public synchronized long startMillis() {
            return startMillis;
        }

        private EmbeddedKafka started() {
            if (kafka == null) {
                kafka = EmbeddedKafka.start(null);
                startMillis = kafka.startTime().toMillis();
                admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        AdminClientConfig.CLIENT_ID_CONFIG, "clstream-test-admin"));
            }
            return kafka;
        }

        /**
         * Stops the cluster if it runs; a later use starts a fresh one (which whoever registered the holder closes in
         * turn). Idempotent.
         */
        @Override
        public synchronized void close() {
            Admin a = admin;
            EmbeddedKafka k = kafka;
            admin = null;
            kafka = null;
            startMillis = -1;
            try {
                if (a != null) {
                    a.close();
                }
            } finally {
                if (k != null) {
                    k.close();
                }
            }
        }
    }
}
