package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.testing.KafkaTestCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGINT and SIGTERM at random moments, as Ctrl-C and Kubernetes send them, to {@code bin/clstream run} under load
 * and to {@code bin/clstream demo}, with the default model so that the encoder is busy when they land (and some land
 * while the model loads). Every stop must be clean: exit status 0, 130 or 143, no JVM crash file, and for {@code run}
 * every event labeled exactly once when the last instance has drained the input. The moments come from a logged seed
 * ({@code -Dclstream.signals.seed=N} replays them); {@code -Dclstream.signals.each=N} sends more.
 */
@ExtendWith(KafkaTestCluster.class)
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class ShutdownSignalsIT {
    static final int EACH = Integer.getInteger("clstream.signals.each", 10);
    static final Set<Integer> CLEAN_EXITS = Set.of(0, ChildApp.SIGINT_EXIT, ChildApp.SIGTERM_EXIT);
    static final ObjectMapper JSON = new ObjectMapper();
    /** How long a stop may take: Streams' close (30 s at most), then the encoder's runs. */
    static final long MAX_STOP_SECONDS = 75;

    @TempDir
    Path dir;

    private final long seed = Long.getLong("clstream.signals.seed", System.currentTimeMillis());
    private final Random rnd = new Random(seed);

    /** Starts the launcher with {@code args}; JVM crash files, if any, go to {@code crashes}. */
    private static Process start(List<String> args, Path crashes, Path log) throws IOException {
        ProcessBuilder pb = Launcher.builder(args).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CLSTREAM_JAVA_OPTS", "-XX:ErrorFile=" + crashes.resolve("hs_err_pid%p.log"));
        return pb.start();
    }

    /** Signals {@code p} after a random moment of up to {@code maxWaitMs}; its exit status. */
    private int signalAtRandom(Process p, int cycle, long maxWaitMs, Path log) throws InterruptedException {
        long wait = 500 + (long) (rnd.nextDouble() * maxWaitMs);
        String signal = rnd.nextBoolean() ? "INT" : "TERM";
        Thread.sleep(wait);
        if (!p.isAlive()) {
            throw new AssertionError("cycle " + cycle + ": the app ended by itself; its log ends with:\n"
                    + ItSupport.tail(log, 40));
        }
        ChildApp.signal(p, signal);
        int status = ChildApp.awaitExit(p, MAX_STOP_SECONDS, log);
        System.out.printf("[signals] cycle %d: SIG%s after %d ms -> exit %d%n", cycle, signal, wait, status);
        assertTrue(CLEAN_EXITS.contains(status), "cycle " + cycle + ": SIG" + signal + " after " + wait
                + " ms gave exit status " + status + "; its log ends with:\n" + ItSupport.tail(log, 60));
        return status;
    }

    private static void assertNoCrashFile(Path crashes) throws IOException {
        try (Stream<Path> files = Files.list(crashes)) {
            List<Path> found = files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList();
            assertTrue(found.isEmpty(), "the JVM crashed in native code: " + found);
        }
    }

    @Test
    void runStopsCleanlyOnEverySignalAndLabelsEveryEventOnce() throws Exception {
        System.out.printf("[signals] run: seed %d (-Dclstream.signals.seed=%d replays it)%n", seed, seed);
        Path crashes = Files.createDirectories(dir.resolve("crashes"));
        ItSupport.Topics topics = ItSupport.createAppTopics("signals", 2);
        String bootstrap = KafkaTestCluster.bootstrapServers();
        Map<String, String> settings = new LinkedHashMap<>(topics.settings());
        settings.put("application.id", KafkaTestCluster.uniqueName("signals-app"));
        settings.put("state.dir", dir.resolve("state").toString());
        settings.put(ClstreamConfig.INPUT_FORMAT, "json");
        settings.put(ClstreamConfig.OUTPUT_FORMAT, "json");
        settings.put(ClstreamConfig.HTTP_PORT, "0");
        List<String> args = new ArrayList<>(List.of("run", "--bootstrap-servers", bootstrap));
        settings.forEach((k, v) -> {
            args.add("--set");
            args.add(k + "=" + v);
        });
        Map<String, Integer> produced = new ConcurrentHashMap<>();
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread load = new Thread(() -> produce(topics.input(), produced, producing), "signals-load");
        load.start();
        try (OutputCollector out = new OutputCollector(bootstrap, topics.outputs())) {
            for (int cycle = 1; cycle <= EACH; cycle++) {
                Path log = dir.resolve("run-" + cycle + ".log");
                signalAtRandom(start(args, crashes, log), cycle, 10_000, log);
                assertNoCrashFile(crashes);
            }
            producing.set(false);
            load.join(10_000);
            // The last instance drains the input, then stops as Kubernetes stops it.
            Path log = dir.resolve("run-final.log");
            Process last = start(args, crashes, log);
            ItSupport.awaitOrFail(300_000, () -> out.count(topics.labels()) >= produced.size(), () -> "labels "
                    + out.count(topics.labels()) + " of " + produced.size() + "; the last log ends with:\n"
                    + ItSupport.tail(log, 30));
            ItSupport.sleep(2_000);
            ChildApp.signal(last, "TERM");
            assertEquals(ChildApp.SIGTERM_EXIT, ChildApp.awaitExit(last, MAX_STOP_SECONDS, log));
            assertNoCrashFile(crashes);
            Map<String, Integer> labeled = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : out.records(topics.labels())) {
                labeled.merge(JSON.readTree(r.value()).get("id").asText(), 1, Integer::sum);
            }
            RoundTripIT.assertExactlyOnce("labels", produced.keySet(), labeled);
            assertEquals(0, out.count(topics.deadLetters()), "dead letters");
            System.out.printf("[signals] run: %d signals, %d events labeled exactly once%n", EACH, produced.size());
        } finally {
            producing.set(false);
        }
    }

    @Test
    void demoStopsCleanlyOnEverySignal() throws Exception {
        System.out.printf("[signals] demo: seed %d (-Dclstream.signals.seed=%d replays it)%n", seed, seed);
        Path crashes = Files.createDirectories(dir.resolve("crashes-demo"));
        for (int cycle = 1; cycle <= EACH; cycle++) {
            Path log = dir.resolve("demo-" + cycle + ".log");
            signalAtRandom(start(List.of("demo", "--set", "http.port=0"), crashes, log), cycle, 14_000, log);
            assertNoCrashFile(crashes);
        }
    }

    /** Steady load: JSON events, about 40 a second, until told to stop. */
    private static void produce(String topic, Map<String, Integer> produced, AtomicBoolean producing) {
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(KafkaTestCluster.bootstrapServers())) {
            for (int i = 0; producing.get(); i++) {
                String id = "s-" + i;
                producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), ("{\"id\":\"" + id
                        + "\",\"text\":\"" + ItSupport.text(i) + " about a free cruise and a meeting review\"}")
                        .getBytes(StandardCharsets.UTF_8))).get();
                produced.put(id, i);
                Thread.sleep(25);
            }
        } catch (Exception e) {
            throw new IllegalStateException("the load producer failed", e);
        }
    }
}
