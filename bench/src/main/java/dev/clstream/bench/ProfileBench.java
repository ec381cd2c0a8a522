package dev.clstream.bench;

import dev.clstream.bundle.BuiltInBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where an event's CPU goes: one {@code clstream run} child JVM (the default bundle, JSON output, exactly-once) reads
 * a backlog of unique events from a broker in this JVM, under a JDK Flight Recording. Between the moment it is ready
 * and the moment every event is labeled it reports the app's CPU per event by component ({@link CpuBreakdown}), the
 * broker's (this JVM's, which also counts the labels), and the records the app wrote per input event, per topic (what
 * the broker appended: {@link BenchCluster#recordsIn}).
 *
 * <p>Usage: {@code ProfileBench [--events N] [--bundle DIR]}; see bench/README.md.
 */
public final class ProfileBench {
    /** The application id, which every topic it writes (its own and its internal ones) starts with. */
    private static final String APP = "profile";

    private ProfileBench() {}

    public static void main(String[] args) throws Exception {
        int events = 4000;
        Path bundle = Path.of("model-export/target/bundles", BuiltInBundles.DEFAULT_BUNDLE);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--bundle" -> bundle = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --events N, --bundle DIR)");
            }
        }
        Path work = Files.createTempDirectory("clstream-profile-bench");
        Path jfr = work.resolve("app.jfr");
        List<String> corpus = BenchTexts.load().set(BenchTexts.SHORT).texts();
        System.out.printf(Locale.ROOT, "profile bench: %d unique events, bundle %s, recording and logs in %s%n",
                events, bundle.getFileName(), work);
        try (BenchCluster cluster = BenchCluster.start()) {
            cluster.createTopic("bench-input", 2, Map.of());
            cluster.produce("bench-input", events, "e", BenchApps.uniqueTexts(corpus, events, "ref"));
            Map<String, String> settings = BenchApps.settings(cluster, APP, "bench-input", 2, work);
            List<String> recording = List.of("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
            Snapshot before;
            Snapshot after;
            Instant done;
            try (CommittedCounter labels = new CommittedCounter(cluster.bootstrap(), settings.get("labels.topic"));
                 AppProcess app = AppProcess.start(work.resolve("profile.log"), null, recording, bundle,
                         cluster.bootstrap(), settings)) {
                app.awaitReady(Duration.ofMinutes(2));
                before = Snapshot.take(app, labels);
                labels.await(events, Duration.ofMinutes(30));
                done = Instant.now();
                // The label statistics add up the micro-batches' counts after a repartition: part of an event's cost.
                app.awaitMetric("clstream_labels_committed_total", events, Duration.ofMinutes(5));
                after = Snapshot.take(app, labels);
            } // SIGTERM: the recording is written as the JVM exits
            report(before, done, after, jfr);
        }
    }

    /** What is counted at one moment: the app's threads' CPU, this JVM's CPU, the app's sends, labels so far. */
    private record Snapshot(Instant at, Map<Long, CpuBreakdown.ThreadCpu> appThreads, double appCpu, double benchCpu,
                            Map<String, Long> written, long labeled) {
        static Snapshot take(AppProcess app, CommittedCounter labels) throws Exception {
            Instant at = Instant.now();
            return new Snapshot(at, CpuBreakdown.threads(app.pid()), app.cpuSeconds(), CpuMeter.processCpuSeconds(),
                    BenchCluster.recordsIn(APP), labels.count());
        }
    }

    private static void report(Snapshot before, Instant done, Snapshot after, Path jfr) throws Exception {
        double events = after.labeled() - before.labeled();
        double seconds = Duration.between(before.at(), done).toNanos() / 1e9;
        double appMs = (after.appCpu() - before.appCpu()) * 1000 / events;
        double brokerMs = (after.benchCpu() - before.benchCpu()) * 1000 / events;
        System.out.printf(Locale.ROOT, "%n%.0f events labeled in %.1f s (%.1f events/s) after the app was ready, their "
                + "label statistics %.1f s later; until then: app CPU %.2f ms/event, broker (this JVM, with the label "
                + "counter) %.2f ms/event%n", events, seconds, events / seconds,
                Duration.between(done, after.at()).toNanos() / 1e9, appMs, brokerMs);

        System.out.println();
        System.out.println("| component (app process) | CPU ms/event | share |");
        System.out.println("|---|---:|---:|");
        Map<String, Double> parts = CpuBreakdown.of(jfr, before.appThreads(), before.at(), after.appThreads(),
                after.at());
        double total = parts.values().stream().mapToDouble(Double::doubleValue).sum();
        parts.forEach((component, cpu) -> System.out.printf(Locale.ROOT, "| %s | %.2f | %.1f%% |%n", component,
                cpu * 1000 / events, 100 * cpu / total));
        System.out.printf(Locale.ROOT, "| total of the app's threads | %.2f | |%n", total * 1000 / events);

        System.out.println();
        // The broker's count includes the transaction markers: one per partition a transaction wrote to.
        System.out.println("| topic the app wrote to | records appended per input event (transaction markers included) |");
        System.out.println("|---|---:|");
        double all = 0;
        for (Map.Entry<String, Long> e : after.written().entrySet()) {
            double n = (e.getValue() - before.written().getOrDefault(e.getKey(), 0L)) / events;
            all += n;
            System.out.printf(Locale.ROOT, "| %s | %.3f |%n", e.getKey(), n);
        }
        System.out.printf(Locale.ROOT, "| all | %.3f |%n", all);
    }
}
