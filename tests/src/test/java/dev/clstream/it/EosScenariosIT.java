package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.bundle.ModelBundle;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.TestBundles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out under faults, judged the way Kafka's own system tests judge exactly-once ({@code streams_eos_test.py} with
 * {@code EosTestDriver}): a three-node KRaft cluster ({@link ThreeBrokerCluster}: replication factor 3,
 * {@code min.insync.replicas} 2, transaction version 2), an input of 6 partitions fed at least 20,000 events without
 * pause, three {@code clstream run} instances as separate JVMs with their own state directories in one group, and a
 * fault; then {@link EosVerifier} reads everything {@code read_committed} and demands one label and one embedding per
 * input id, each label the one the engine gives the same text alone (the fault-free reference).
 *
 * <p>{@code mvn verify} runs scenario 1 (SIGKILL of a random instance, three times, each restarted) and its negative
 * control ({@code processing.guarantee=at_least_once}, where the verifier must find duplicates: it can fail). The
 * others run with {@code -Peos-matrix} ({@code -Dclstream.eos.matrix=true}): a rolling restart (SIGTERM, restart) of
 * all three, scaling 1 → 3 → 1 under load, and a broker crashed (stopped without a controlled shutdown) and restarted,
 * twice. {@code -Dclstream.eos.seed=N} replays the random choices. Each
 * instance's log is in {@code target/it-work/eos-<scenario>-*}.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class EosScenariosIT {
    static final int EVENTS = Integer.getInteger("clstream.eos.events", 20_000);
    static final int PARTITIONS = 6;
    static final int INSTANCES = 3;
    static final int EVENTS_PER_SECOND = 250;

    private static ThreeBrokerCluster cluster;

    @TempDir
    Path dir;

    private final Map<Integer, Process> instances = new HashMap<>();
    private long t0;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ThreeBrokerCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void killLeftovers() {
        instances.values().forEach(Process::destroyForcibly);
    }

    @Test
    void sigkillOfARandomInstanceThreeTimesLosesAndDuplicatesNothing() throws Exception {
        EosVerifier.Verdict v = run("kill", "exactly_once_v2", this::killRandomInstanceThreeTimes);
        assertTrue(v.exactlyOnce(), v.line());
    }

    /** The verifier can fail: without transactions, the same kills replay what the killed instance had written. */
    @Test
    void atLeastOnceUnderTheSameKillsDuplicates() throws Exception {
        EosVerifier.Verdict v = run("kill-alos", "at_least_once", this::killRandomInstanceThreeTimes);
        assertTrue(v.labelsDuplicated() > 0, "the negative control found no duplicate: " + v.line());
        assertTrue(v.labelsMissing() == 0 && v.wrongLabels() == 0, "at least once still loses nothing: " + v.line());
    }

    @Test
    @EnabledIfSystemProperty(named = "clstream.eos.matrix", matches = "true")
    void rollingRestartOfAllThree() throws Exception {
        EosVerifier.Verdict v = run("rolling", "exactly_once_v2", (h, p) -> {
            h.startAll();
            p.start();
            for (int slot = 0; slot < INSTANCES; slot++) {
                h.awaitProgress(EVENTS / 5);
                h.log("SIGTERM instance %d (rolling restart)", slot);
                h.stop(slot);
                h.start(slot);
            }
        });
        assertTrue(v.exactlyOnce(), v.line());
    }

    @Test
    @EnabledIfSystemProperty(named = "clstream.eos.matrix", matches = "true")
    void scaleOneToThreeToOneUnderLoad() throws Exception {
        EosVerifier.Verdict v = run("scale", "exactly_once_v2", (h, p) -> {
            h.start(0);
            p.start();
            h.awaitProgress(EVENTS / 5);
            h.log("scaling out to 3");
            h.start(1);
            h.start(2);
            h.awaitProgress(EVENTS / 4);
            h.log("scaling in to 1");
            h.stop(1);
            h.stop(2);
        });
        assertTrue(v.exactlyOnce(), v.line());
    }

    @Test
    @EnabledIfSystemProperty(named = "clstream.eos.matrix", matches = "true")
    void aBrokerCrashedAndRestartedTwiceUnderLoad() throws Exception {
        EosVerifier.Verdict v = run("broker", "exactly_once_v2", (h, p) -> {
            h.startAll();
            p.start();
            for (int crash = 1; crash <= 2; crash++) {
                h.awaitProgress(EVENTS / 5);
                List<Integer> ids = cluster.brokerIds();
                int broker = ids.get(h.random.nextInt(ids.size()));
                h.log("broker %d crashes (#%d), down 5 s", broker, crash);
                cluster.crashAndRestartBroker(broker, 5_000);
                h.log("broker %d back", broker);
            }
        });
        assertTrue(v.exactlyOnce(), v.line());
    }

    private void killRandomInstanceThreeTimes(Harness h, SteadyProducer p) throws Exception {
        h.startAll();
        p.start();
        for (int kill = 1; kill <= 3; kill++) {
            h.awaitProgress(EVENTS / 6 + h.random.nextInt(EVENTS / 10));
            int slot = h.random.nextInt(INSTANCES);
            h.log("kill -9 #%d: instance %d (pid %d)", kill, slot, instances.get(slot).pid());
            ChildApp.kill(instances.get(slot));
            h.start(slot);
        }
    }

    /** One scenario: its topics, its instances and the producer; {@code faults} runs the scenario's script. */
    private EosVerifier.Verdict run(String scenario, String guarantee, Script faults) throws Exception {
        long seed = Long.getLong("clstream.eos.seed", System.currentTimeMillis());
        String prefix = KafkaTestCluster.uniqueName("eos-" + scenario);
        ItSupport.Topics topics = new ItSupport.Topics(prefix + "-in", prefix + "-labels", prefix + "-embeddings",
                prefix + "-dead", prefix + "-stats");
        cluster.createTopics(PARTITIONS, topics.input());
        cluster.createTopics(PARTITIONS, topics.outputs());
        Path bundle = TestBundles.tiny(dir.resolve("tiny")).directory();
        Path logs = Files.createDirectories(ItSupport.workDir().resolve(prefix));
        Harness h = new Harness(scenario, new Random(seed), settings(prefix, topics, bundle, guarantee), logs,
                topics.labels());
        t0 = System.nanoTime();
        h.log("seed %d (-Dclstream.eos.seed=%d replays it), %s, logs in %s", seed, seed, guarantee, logs);
        SteadyProducer producer = new SteadyProducer(cluster.bootstrapServers(), EVENTS, EVENTS_PER_SECOND, i -> {
            String id = "eos-" + i;
            return new ProducerRecord<>(topics.input(), id.getBytes(StandardCharsets.UTF_8),
                    ("{\"id\":\"" + id + "\",\"text\":\"" + ItSupport.text(i) + "\"}").getBytes(StandardCharsets.UTF_8));
        });
        try (OutputCollector out = new OutputCollector(cluster.bootstrapServers(), topics.labels())) {
            h.out = out;
            faults.run(h, producer);
            producer.finish();
            producer.await(300_000);
            int sent = producer.sent();
            h.log("producer done: %d events", sent);
            h.awaitSettled(sent);
            for (int slot : List.copyOf(instances.keySet())) {
                h.stop(slot);
            }
            EosVerifier.Verdict v = EosVerifier.verify(cluster.bootstrapServers(), cluster.admin(), prefix + "-app",
                    reference(bundle, sent), topics.input(), topics.labels(), topics.embeddings(), topics.deadLetters());
            h.log("%s", v.line());
            return v;
        }
    }

    /** The fault-free reference: each text's label from the engine, the text alone. */
    private static Map<String, String> reference(Path bundle, int events) {
        Map<String, String> byText = new HashMap<>();
        Map<String, String> byId = new LinkedHashMap<>();
        try (InferenceEngine engine = InferenceEngine.open(ModelBundle.load(bundle), EncoderOptions.defaults())) {
            for (int i = 0; i < events; i++) {
                String text = ItSupport.text(i);
                byId.put("eos-" + i, byText.computeIfAbsent(text,
                        t -> engine.predict(List.of(engine.tokenize(t))).get(0).classification().label()));
            }
        }
        return byId;
    }

    private Map<String, String> settings(String prefix, ItSupport.Topics topics, Path bundle, String guarantee) {
        Map<String, String> s = new LinkedHashMap<>(topics.settings());
        s.put("bootstrap.servers", cluster.bootstrapServers());
        s.put("application.id", prefix + "-app");
        s.put(ClstreamConfig.MODEL_BUNDLE, bundle.toString());
        s.put(ClstreamConfig.INPUT_FORMAT, "json");
        s.put(ClstreamConfig.OUTPUT_FORMAT, "json");
        s.put(ClstreamConfig.LABEL_STATS_ENABLED, "false");
        s.put(ClstreamConfig.HTTP_PORT, "0");
        s.put("processing.guarantee", guarantee);
        return s;
    }

    @FunctionalInterface
    interface Script {
        void run(Harness h, SteadyProducer producer) throws Exception;
    }

    /** Starts, stops and waits for one scenario's instances. */
    final class Harness {
        final String scenario;
        final Random random;
        final Map<String, String> settings;
        final Path logs;
        final String labels;
        OutputCollector out;
        private final Map<Integer, Path> logOf = new HashMap<>();
        private int incarnation;

        Harness(String scenario, Random random, Map<String, String> settings, Path logs, String labels) {
            this.scenario = scenario;
            this.random = random;
            this.settings = settings;
            this.logs = logs;
            this.labels = labels;
        }

        void startAll() {
            for (int slot = 0; slot < INSTANCES; slot++) {
                start(slot);
            }
        }

        /** Starts instance {@code slot} on its own state directory (the same one after a restart). */
        void start(int slot) {
            Map<String, String> s = new LinkedHashMap<>(settings);
            s.put("state.dir", dir.resolve("state-" + slot).toString());
            Path log = logs.resolve("instance-" + slot + "-" + (++incarnation) + ".log");
            Process p = ChildApp.start(ChildApp.command(dir, List.of("-Xmx256m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1"), List.of("run"), s), log);
            instances.put(slot, p);
            logOf.put(slot, log);
            log("started instance %d: pid %d (%s)", slot, p.pid(), log.getFileName());
        }

        /** SIGTERM, and waits (up to 60 s) for the exit. */
        void stop(int slot) throws InterruptedException {
            Process p = instances.remove(slot);
            ChildApp.signal(p, "TERM");
            log("instance %d stopped, exit status %d", slot, ChildApp.awaitExit(p, 60, logOf.get(slot)));
        }

        /** Waits until {@code more} labels have been committed since now, every instance alive. */
        void awaitProgress(int more) {
            int from = out.count(labels);
            ItSupport.awaitOrFail(180_000, () -> {
                instances.forEach((slot, p) -> assertTrue(p.isAlive(), () -> "instance " + slot + " exited by itself "
                        + "with status " + p.exitValue() + "; logs in " + logs));
                return out.count(labels) - from >= more;
            }, () -> "no progress: " + out.count(labels) + " labels");
        }

        /** Waits until at least {@code events} labels are committed and no more arrive for 5 s. */
        void awaitSettled(int events) {
            int[] last = {-1};
            long[] since = {System.nanoTime()};
            ItSupport.awaitOrFail(240_000, () -> {
                int n = out.count(labels);
                if (n != last[0]) {
                    last[0] = n;
                    since[0] = System.nanoTime();
                }
                return n >= events && System.nanoTime() - since[0] > TimeUnit.SECONDS.toNanos(5);
            }, () -> out.count(labels) + " labels of " + events);
            log("outputs settled: %d labels", out.count(labels));
        }

        void log(String format, Object... args) {
            System.out.printf("[eos %s +%6.1f s] %s%n", scenario, (System.nanoTime() - t0) / 1e9,
                    String.format(format, args));
        }
    }
}
