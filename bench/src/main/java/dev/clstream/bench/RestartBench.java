package dev.clstream.bench;

import dev.clstream.testing.TestBundles;
import dev.clstream.topology.Topologies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Restart cost after a kill -9 that follows a long run. One instance (a child JVM, the broker in this JVM) works
 * through a backlog of events; at 90% of them it is killed with SIGKILL and started again on the same state
 * directory; measured: seconds from the restarted process' start to {@code /health/ready} (Kafka Streams RUNNING,
 * which it may reach before its tasks are restored) and to its first new label (committed: the restore is done),
 * beside the first start's, and the bytes of the micro-batcher's changelog that the restart restores (its store is in
 * memory). Two applications in the same run: one whose changelog was made beforehand with Kafka's defaults for a
 * compacted topic (what Streams made before clstream set its own configs), one with the configs clstream gives it.
 *
 * <p>The model is the tiny test encoder, so that a long run (many events, a large changelog) takes minutes; the
 * restart cost does not depend on the model beyond its load time, which the first start shows.
 *
 * <p>Usage: {@code RestartBench [--events N,N,...] [--text-bytes B] [--partitions P]} (default 30000,100000: one
 * pair of applications per run length); see bench/README.md.
 */
public final class RestartBench {

    private RestartBench() {}

    private record Run(int events, String changelog, double firstStartS, long changelogBytes, double readyS,
                       double resumedS, int waiting, int labels, int distinctIds) {}

    public static void main(String[] args) throws Exception {
        List<Integer> lengths = List.of(30_000, 100_000);
        int textBytes = 2000;
        int partitions = 4;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> lengths = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--text-bytes" -> textBytes = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --events N[,N...], --text-bytes B, --partitions P)");
            }
        }
        Path work = Files.createTempDirectory("clstream-restart-bench");
        Path bundle = TestBundles.tiny(work.resolve("tiny")).directory();
        List<String> texts = new ArrayList<>();
        for (String t : BenchTexts.load().set(BenchTexts.SHORT).texts()) {
            texts.add((t + "\n").repeat(textBytes / (t.length() + 1) + 1).substring(0, textBytes));
        }
        System.out.printf(Locale.ROOT, "restart bench: runs of %s events of %d characters (short texts repeated), "
                + "%d partitions, the tiny test encoder; logs in %s%n", lengths, textBytes, partitions, work);
        try (BenchCluster cluster = BenchCluster.start()) {
            List<Run> runs = new ArrayList<>();
            for (int events : lengths) {
                String input = "restart-input-" + events;
                cluster.createTopic(input, partitions, Map.of());
                cluster.produce(input, events, "e", texts);
                runs.add(run(cluster, work, bundle, input, "kafka-defaults", events, partitions, true));
                runs.add(run(cluster, work, bundle, input, "clstream", events, partitions, false));
            }
            System.out.println();
            System.out.println("| events | changelog configs | first start: ready, s | changelog at the kill, MB "
                    + "| restart: ready, s | restart: first new label, s | waiting events restored | labels "
                    + "| distinct ids |");
            System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
            for (Run r : runs) {
                System.out.printf(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.1f | %.1f | %d | %d | %d |%n", r.events(),
                        r.changelog(), r.firstStartS(), r.changelogBytes() / 1e6, r.readyS(), r.resumedS(),
                        r.waiting(), r.labels(), r.distinctIds());
            }
        }
    }

    private static Run run(BenchCluster cluster, Path work, Path bundle, String input, String name, int events,
                           int partitions, boolean kafkaDefaults) throws Exception {
        String app = "restart-" + name + "-" + events;
        Map<String, String> settings = BenchApps.settings(cluster, app, input, partitions, work);
        String changelog = app + "-" + Topologies.PENDING_STORE + "-changelog";
        if (kafkaDefaults) {
            // Made before Streams starts, Streams uses it as it is: compacted, 1 GiB segments, tombstones kept a day.
            cluster.createTopic(changelog, partitions, Map.of("cleanup.policy", "compact"));
        }
        try (CommittedCounter labels = new CommittedCounter(cluster.bootstrap(), settings.get("labels.topic"))) {
            double firstStart;
            try (AppProcess first = AppProcess.start(work.resolve(app + "-1.log"), null, bundle, cluster.bootstrap(),
                    settings)) {
                firstStart = first.awaitReady(Duration.ofMinutes(2));
                labels.await(events * 9 / 10, Duration.ofMinutes(30));
                first.kill();
            }
            long bytes = cluster.topicBytes(changelog);
            // Transactions the killed instance committed may still be on their way to the counter.
            int atKill = labels.awaitQuiet(Duration.ofSeconds(2));
            System.out.printf(Locale.ROOT, "%s: killed at %d labels; changelog %.1f MB%n", name, atKill, bytes / 1e6);
            try (AppProcess second = AppProcess.start(work.resolve(app + "-2.log"), null, bundle, cluster.bootstrap(),
                    settings)) {
                double ready = second.awaitReady(Duration.ofMinutes(30));
                labels.await(atKill + 1, Duration.ofMinutes(30));
                double resumed = labels.secondsUntilAbove(atKill, second.startedNanos());
                labels.await(events, Duration.ofMinutes(30));
                labels.awaitQuiet(Duration.ofSeconds(3)); // nothing more may come: every event once
                int waiting = 0;
                Matcher m = Topologies.RESTORED_EVENTS_LOG.matcher(second.logText());
                while (m.find()) {
                    waiting += Integer.parseInt(m.group(1));
                }
                System.out.printf(Locale.ROOT, "%s: restarted, ready after %.1f s, first new label after %.1f s%n",
                        name, ready, resumed);
                return new Run(events, name, firstStart, bytes, ready, resumed, waiting, labels.count(),
                        labels.distinctKeys());
            }
        }
    }
}
