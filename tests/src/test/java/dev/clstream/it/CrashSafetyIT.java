package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.avro.ClsEmbedding;
import dev.clstream.avro.LabeledEvent;
import dev.clstream.avro.TextEvent;
import dev.clstream.avro.TrustedClasses;
import dev.clstream.serde.AvroDeserializer;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.serde.SchemaRegistryClient;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.TestBundles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app as a child JVM ({@code clstream run}) is killed with SIGKILL several times at random moments while 20,000
 * events are produced without pause, and restarted each time on the same state directory. In the end every input id
 * must appear exactly once in the labels and in the embeddings (read_committed) and never in the dead letters.
 *
 * <p>The kill moments come from a seeded {@link Random} ({@code -Dclstream.crash.seed=N} replays a run): each kill
 * waits until the running instance has committed a random number of new labels, then a random extra delay.
 * Each instance's output goes to {@code target/it-work/crash-safety-<n>/child-<incarnation>.log}.
 *
 * <p>Cost: about 60-70 s on 2 cores (the producer runs {@code EVENTS / EVENTS_PER_SECOND} = 50 s; a restart after a
 * kill waits for the killed member's session (6 s) and its open transaction to time out).
 */
@ExtendWith({KafkaTestCluster.class, SchemaRegistryServer.class})
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CrashSafetyIT {
    static final int EVENTS = 20_000;
    /** Kills per run; {@code -Dclstream.crash.kills=N} for a longer stress run. */
    static final int KILLS = Integer.getInteger("clstream.crash.kills", 4);
    static final int MIN_KILLS = Math.min(3, KILLS);
    /** The producer's steady rate: the whole input takes about EVENTS / RATE seconds, spread over the kills. */
    static final int EVENTS_PER_SECOND = 400;

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();
    private long t0;

    @AfterEach
    void killLeftovers() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void sigkilledAndRestartedAppWritesEveryOutputExactlyOnce() throws Exception {
        TrustedClasses.install();
        long seed = Long.getLong("clstream.crash.seed", System.currentTimeMillis());
        Random rnd = new Random(seed);
        ItSupport.Topics topics = ItSupport.createAppTopics("crash", 4, 2);
        String input = topics.input();
        String labels = topics.labels();
        String embeddings = topics.embeddings();
        String deadLetters = topics.deadLetters();
        String bootstrap = KafkaTestCluster.bootstrapServers();
        String registryUrl = SchemaRegistryServer.url();
        Path bundle = TestBundles.tiny(dir.resolve("tiny")).directory();
        Path logs = Files.createDirectories(ItSupport.workDir().resolve(KafkaTestCluster.uniqueName("crash-safety")));
        List<String> command = childCommand(bootstrap, registryUrl, bundle, KafkaTestCluster.uniqueName("crash-app"),
                topics);
        log("seed %d (-Dclstream.crash.seed=%d replays the kill moments); child logs in %s", seed, seed, logs);

        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < EVENTS; i++) {
            ids.add("crash-" + i);
        }
        t0 = System.nanoTime();
        try (OutputCollector out = new OutputCollector(bootstrap, labels, embeddings, deadLetters)) {
            Producer producer = new Producer(bootstrap, input);
            int incarnation = 0;
            List<String> kills = new ArrayList<>();
            Process child = start(command, logs, ++incarnation);
            producer.start();
            while (kills.size() < KILLS) {
                int atStart = out.count(labels);
                long started = System.nanoTime();
                int wanted = 100 + rnd.nextInt(900);
                long extraDelay = rnd.nextInt(500);
                // Progress: this instance must commit `wanted` new labels (less when the input runs out first).
                Process c = child;
                boolean progressed = ItSupport.await(90_000, () -> {
                    assertAlive(c, logs);
                    int backlog = producer.sent() - atStart;
                    int need = producer.done() ? Math.min(wanted, Math.max(1, backlog / 2)) : wanted;
                    return backlog > 0 && out.count(labels) - atStart >= need;
                });
                if (!progressed) {
                    if (producer.done() && out.count(labels) >= EVENTS) {
                        log("input exhausted after %d kills: no more kills", kills.size());
                        break;
                    }
                    throw new AssertionError("incarnation " + incarnation + " made no progress in 90 s (labels "
                            + out.count(labels) + ", produced " + producer.sent() + "); its log ends with:\n"
                            + ItSupport.tail(logs.resolve("child-" + incarnation + ".log"), 60));
                }
                ItSupport.sleep(extraDelay);
                int labelsNow = out.count(labels);
                int embeddingsNow = out.count(embeddings);
                int producedNow = producer.sent();
                long pid = child.pid();
                ChildApp.kill(child);
                String line = String.format("kill #%d at +%.1f s: pid %d (incarnation %d, ran %.1f s), %d labels "
                                + "committed (+%d by this incarnation, wanted %d, then +%d ms), %d embeddings, %d produced",
                        kills.size() + 1, secondsSince(t0), pid, incarnation, secondsSince(started), labelsNow,
                        labelsNow - atStart, wanted, extraDelay, embeddingsNow, producedNow);
                kills.add(line);
                log("%s", line);
                child = start(command, logs, ++incarnation);
            }
            producer.await(120_000);
            log("producer done at +%.1f s: %d events; final incarnation %d running", secondsSince(t0),
                    producer.sent(), incarnation);
            Process last = child;
            ItSupport.awaitOrFail(120_000, () -> {
                assertAlive(last, logs);
                return out.count(labels) >= EVENTS && out.count(embeddings) >= EVENTS;
            }, () -> "labels " + out.count(labels) + ", embeddings " + out.count(embeddings) + " of " + EVENTS
                    + "; dead letters " + out.count(deadLetters));
            log("all outputs committed at +%.1f s", secondsSince(t0));
            ItSupport.sleep(3_000); // grace period: nothing more may arrive
            stop(child);

            kills.forEach(k -> log("  %s", k));
            assertTrue(kills.size() >= MIN_KILLS, "only " + kills.size() + " kills happened");
            assertEquals(EVENTS, ItSupport.endOffsetSum(bootstrap, input), "records in the input topic");
            assertEquals(0, out.count(deadLetters), "dead letters: " + out.count(deadLetters));
            SchemaRegistryClient registry = ItSupport.registryClient();
            AvroDeserializer<LabeledEvent> labelReader = AvroDeserializer.specific(registry, LabeledEvent.class);
            AvroDeserializer<ClsEmbedding> embeddingReader = AvroDeserializer.specific(registry, ClsEmbedding.class);
            Map<String, Integer> labelIds = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : out.records(labels)) {
                labelIds.merge(labelReader.deserialize(labels, r.value()).getId(), 1, Integer::sum);
            }
            Map<String, Integer> embeddingIds = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : out.records(embeddings)) {
                embeddingIds.merge(embeddingReader.deserialize(embeddings, r.value()).getId(), 1, Integer::sum);
            }
            RoundTripIT.assertExactlyOnce("labels", ids, labelIds);
            RoundTripIT.assertExactlyOnce("embeddings", ids, embeddingIds);
            assertEquals(EVENTS, out.count(labels), "labeled events");
            assertEquals(EVENTS, out.count(embeddings), "embeddings");
            log("done at +%.1f s: %d kills, %d incarnations, every id exactly once", secondsSince(t0), kills.size(),
                    incarnation);
        }
    }

    private static List<String> childCommand(String bootstrap, String registryUrl, Path bundle, String appId,
                                             ItSupport.Topics topics) {
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("schema.registry.url", registryUrl);
        settings.put("application.id", appId);
        settings.putAll(topics.settings());
        settings.put("input.format", "avro");
        settings.put("output.format", "avro");
        // The same state directory for every incarnation, as on a restarted host.
        settings.put("state.dir", bundle.getParent().resolve("state").toString());
        // Flush and commit often, so that kills land between and inside many small transactions.
        settings.put("commit.interval.ms", "100");
        // A restarted app must not wait for the killed one's port; any free one will do.
        settings.put("http.port", "0");
        settings.put("batch.max.size", "16");
        settings.put("batch.max.wait.ms", "20");
        settings.put("inference.concurrency", "1");
        // A killed member leaves the group after this (the broker's minimum), not after the 45 s default.
        settings.put("session.timeout.ms", "6000");
        return ChildApp.command(bundle.getParent(), List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                List.of("run", "--bundle", bundle.toString(), "--bootstrap-servers", bootstrap), settings);
    }

    private Process start(List<String> command, Path logs, int incarnation) {
        Path log = logs.resolve("child-" + incarnation + ".log");
        Process p = ChildApp.start(command, log);
        children.add(p);
        log("started incarnation %d: pid %d (log %s)", incarnation, p.pid(), log.getFileName());
        return p;
    }

    /** A clean stop at the end (SIGTERM: the app's shutdown hook closes Kafka Streams). */
    private void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(40, TimeUnit.SECONDS)) {
            log("pid %d did not stop within 40 s of SIGTERM; killing it", p.pid());
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } else {
            log("pid %d stopped on SIGTERM with exit status %d", p.pid(), p.exitValue());
        }
    }

    private static void assertAlive(Process p, Path logs) {
        if (!p.isAlive()) {
            throw new AssertionError("the app (pid " + p.pid() + ") exited by itself with status " + p.exitValue()
                    + "; logs in " + logs);
        }
    }

    private void log(String format, Object... args) {
        System.out.printf("[crash-safety +%6.1f s] %s%n", t0 == 0 ? 0.0 : secondsSince(t0), String.format(format, args));
    }

    private static double secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    /** Produces EVENTS Avro TextEvents at a steady rate on its own thread, never pausing for the kills. */
    static final class Producer {
        private final String bootstrap;
        private final String topic;
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;

        Producer(String bootstrap, String topic) {
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.thread = new Thread(this::run, "it-crash-producer");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            AvroSerializer<TextEvent> serializer = ItSupport.textEventSerializer();
            try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(bootstrap)) {
                long start = System.nanoTime();
                int i = 0;
                while (i < EVENTS && failure.get() == null) {
                    long due = Math.min(EVENTS, (System.nanoTime() - start) * EVENTS_PER_SECOND / 1_000_000_000L + 1);
                    for (; i < due; i++) {
                        String id = "crash-" + i;
                        producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
                                serializer.serialize(topic, ItSupport.event(id, ItSupport.text(i)))), (md, e) -> {
                                    if (e != null) {
                                        failure.compareAndSet(null, e);
                                    }
                                });
                    }
                    producer.flush();
                    sent.set(i);
                    Thread.sleep(10);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        /** Events sent and acknowledged so far. */
        int sent() {
            check();
            return sent.get();
        }

        boolean done() {
            return !thread.isAlive();
        }

        void await(long timeoutMs) throws InterruptedException {
            thread.join(timeoutMs);
            assertFalse(thread.isAlive(), "the producer is still running");
            check();
            assertEquals(EVENTS, sent.get(), "events produced");
        }

        private void check() {
            Throwable t = failure.get();
            if (t != null) {
                throw new AssertionError("the producer failed: " + t, t);
            }
        }
    }
}
