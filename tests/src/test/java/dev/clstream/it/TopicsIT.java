package dev.clstream.it;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.cli.ClstreamCli;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.runtime.TopicsNotReadyException;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.TestBundles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The app's topics on a real cluster: a missing one stops {@code run} at once (exit 2, naming it and the command that
 * creates it), {@code clstream topics create} creates them from the same configuration (idempotent, partitions from
 * the input, dead letters kept 30 days, statistics compacted), {@code topics.create=true} does it at start-up, and an
 * input whose partition count no longer matches the app's state stops the start, saying why.
 */
@ExtendWith(KafkaTestCluster.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TopicsIT {
    @TempDir
    Path dir;

    /** An app whose topics are named after {@code prefix}; only the input exists. */
    private Map<String, String> settings(String prefix, int inputPartitions) {
        String in = KafkaTestCluster.uniqueName(prefix + "-in");
        ItSupport.createTopics(inputPartitions, in);
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", KafkaTestCluster.bootstrapServers());
        s.put("application.id", KafkaTestCluster.uniqueName(prefix + "-app"));
        s.put("state.dir", dir.resolve(prefix + "-state").toString());
        s.put(ClstreamConfig.INPUT_TOPIC, in);
        s.put(ClstreamConfig.LABELS_TOPIC, KafkaTestCluster.uniqueName(prefix + "-labels"));
        s.put(ClstreamConfig.EMBEDDINGS_TOPIC, KafkaTestCluster.uniqueName(prefix + "-embeddings"));
        s.put(ClstreamConfig.DEAD_LETTER_TOPIC, KafkaTestCluster.uniqueName(prefix + "-dead-letters"));
        s.put(ClstreamConfig.LABEL_STATS_TOPIC, KafkaTestCluster.uniqueName(prefix + "-label-stats"));
        s.put(ClstreamConfig.INPUT_FORMAT, "json");
        s.put(ClstreamConfig.OUTPUT_FORMAT, "json");
        s.put(ClstreamConfig.HTTP_PORT, "0");
        s.put(ClstreamConfig.MODEL_BUNDLE, TestBundles.tiny(dir.resolve(prefix + "-tiny")).directory().toString());
        return s;
    }

    private static List<String> outputs(Map<String, String> s) {
        return List.of(s.get(ClstreamConfig.LABELS_TOPIC), s.get(ClstreamConfig.EMBEDDINGS_TOPIC),
                s.get(ClstreamConfig.DEAD_LETTER_TOPIC), s.get(ClstreamConfig.LABEL_STATS_TOPIC));
    }

    /** {@code clstream <args> --set k=v...} in this JVM: exit status and standard output. */
    private record Run(int status, String out, String err) {}

    private static Run cli(Map<String, String> settings, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        settings.forEach((k, v) -> {
            all.add("--set");
            all.add(k + "=" + v);
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = ClstreamCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(all.toArray(String[]::new));
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void missingTopicsStopRunAndTopicsCreateMakesThem() throws Exception {
        Map<String, String> s = settings("topics", 4);
        Map<String, String> forChild = new HashMap<>(s);
        forChild.remove("bootstrap.servers");
        Path log = dir.resolve("run-missing.log");
        // run, as a deployment starts it, against a cluster that has the input only.
        Process run = ChildApp.start(ChildApp.command(dir, List.of("-Xmx256m"), List.of("run", "--bootstrap-servers",
                s.get("bootstrap.servers")), forChild), log);
        int status = ChildApp.awaitExit(run, 90, log);
        String said = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(2, status, said);
        for (String topic : outputs(s)) {
            assertTrue(said.contains(topic), "names the missing topic " + topic + ":\n" + said);
        }
        assertFalse(said.contains(s.get(ClstreamConfig.INPUT_TOPIC) + " ("), "the input exists:\n" + said);
        assertTrue(said.contains("clstream topics create --bootstrap-servers " + s.get("bootstrap.servers")), said);

        Run describe = cli(s, "topics", "describe");
        assertEquals(1, describe.status(), describe.out() + describe.err());
        assertTrue(describe.out().contains("MISSING"), describe.out());

        Run create = cli(s, "topics", "create");
        assertEquals(0, create.status(), create.out() + create.err());
        Run again = cli(s, "topics", "create");
        assertEquals(0, again.status(), again.out() + again.err());
        assertEquals(5, again.out().lines().filter(l -> l.startsWith("exists")).count(), "idempotent:\n" + again.out());
        assertEquals(0, cli(s, "topics", "describe").status());

        Admin admin = KafkaTestCluster.shared().admin();
        for (String topic : outputs(s)) {
            assertEquals(4, admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size(),
                    topic + " takes the input's partitions");
        }
        Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(
                new ConfigResource(ConfigResource.Type.TOPIC, s.get(ClstreamConfig.DEAD_LETTER_TOPIC)),
                new ConfigResource(ConfigResource.Type.TOPIC, s.get(ClstreamConfig.LABEL_STATS_TOPIC)))).all().get();
        configs.forEach((r, c) -> {
            if (r.name().equals(s.get(ClstreamConfig.DEAD_LETTER_TOPIC))) {
                assertEquals(Long.toString(TimeUnit.DAYS.toMillis(30)), c.get("retention.ms").value());
            } else {
                assertEquals("compact", c.get("cleanup.policy").value());
            }
        });

        // Now run starts and labels.
        try (ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(s))) {
            assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "not RUNNING: " + app.streams().state());
            assertLabels(s, 1);
        }
    }

    @Test
    void topicsCreateTrueCreatesThemAtStartUp() throws Exception {
        Map<String, String> s = settings("autocreate", 2);
        s.put(ClstreamConfig.TOPICS_CREATE, "true");
        try (ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(s))) {
            assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "not RUNNING: " + app.streams().state());
            assertLabels(s, 1);
        }
    }

    @Test
    void anInputWithOtherPartitionsThanTheAppsStateStopsTheStart() throws Exception {
        Map<String, String> s = settings("repartitioned", 2);
        s.put(ClstreamConfig.TOPICS_CREATE, "true");
        try (ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(s))) {
            assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "not RUNNING: " + app.streams().state());
            assertLabels(s, 1);
        }
        String input = s.get(ClstreamConfig.INPUT_TOPIC);
        KafkaTestCluster.shared().admin().createPartitions(Map.of(input, NewPartitions.increaseTo(3))).all().get();
        TopicsNotReadyException e = assertThrows(TopicsNotReadyException.class,
                () -> ClstreamRuntime.start(ClstreamConfig.of(s)).close());
        assertMessageNames(e, input + " has 3 partitions", "keeps its state for 2", "kafka-streams-application-reset");
    }

    /** Produces {@code n} JSON events and waits until the labels topic holds them. */
    private static void assertLabels(Map<String, String> s, int n) {
        String bootstrap = s.get("bootstrap.servers");
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(bootstrap)) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(s.get(ClstreamConfig.INPUT_TOPIC), ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("{\"id\":\"e" + i + "\",\"text\":\"the cat sat " + i + "\"}").getBytes(StandardCharsets.UTF_8)));
            }
        }
        String labels = s.get(ClstreamConfig.LABELS_TOPIC);
        try (OutputCollector out = new OutputCollector(bootstrap, labels)) {
            ItSupport.awaitOrFail(60_000, () -> out.count(labels) >= n, () -> "labels: " + out.count(labels) + " of " + n);
        }
    }
}
