package dev.clstream.bench;

import dev.clstream.bundle.BuiltInBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Throughput against instances: one backlog of events, read first by one instance pinned to one core, then by two
 * instances of one application pinned to one core each ({@code taskset}), the broker in another process (this JVM,
 * on any core). Each phase is its own application, reading the same input from the start; its rate is read between
 * the moments 10% and 90% of the events were labeled (read_committed): after every instance is ready (it says so
 * when not), and before the last partitions run dry one by one.
 *
 * <p>Usage: {@code ScaleBench [--events N] [--partitions P] [--rounds R] [--bundle DIR]}; see bench/README.md.
 */
public final class ScaleBench {
    private static final String INPUT = "scale-input";

    private ScaleBench() {}

    private record Phase(int round, int instances, double eventsPerSecond, double appCpuMsPerEvent,
                         double brokerCpuMsPerEvent) {}

    public static void main(String[] args) throws Exception {
        int events = 6000;
        int partitions = 6;
        int rounds = 2;
        Path bundle = Path.of("model-export/target/bundles", BuiltInBundles.DEFAULT_BUNDLE);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--bundle" -> bundle = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --events N, --partitions P, --rounds R, --bundle DIR)");
            }
        }
        List<String> texts = BenchTexts.load().set(BenchTexts.SHORT).texts();
        Path work = Files.createTempDirectory("clstream-scale-bench");
        System.out.printf(Locale.ROOT, "scale bench: %d events cycling %d short texts, %d partitions, bundle %s, "
                + "logs in %s%n", events, texts.size(), partitions, bundle.getFileName(), work);
        try (BenchCluster cluster = BenchCluster.start()) {
            cluster.createTopic(INPUT, partitions, Map.of());
            cluster.produce(INPUT, events, "e", texts);
            // Rounds alternate one and two instances, so that a slow spell of this shared machine shows as spread.
            List<Phase> phases = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                Phase one = phase(cluster, work, bundle, events, partitions, r, List.of("0"));
                Phase two = phase(cluster, work, bundle, events, partitions, r, List.of("0", "1"));
                phases.addAll(List.of(one, two));
                ratios.add(two.eventsPerSecond() / one.eventsPerSecond());
            }
            System.out.println();
            System.out.println("| round | instances (one core each) | events/s (10%-90%) | app CPU ms/event "
                    + "| broker CPU ms/event |");
            System.out.println("|---:|---:|---:|---:|---:|");
            for (Phase p : phases) {
                System.out.printf(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.2f |%n", p.round(), p.instances(),
                        p.eventsPerSecond(), p.appCpuMsPerEvent(), p.brokerCpuMsPerEvent());
            }
            System.out.printf(Locale.ROOT, "%nratio two instances / one, per round: %s%n", ratios.stream()
                    .map(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
        }
    }

    /** One application of {@code cpus.size()} instances, one per core in {@code cpus}, through the whole backlog. */
    private static Phase phase(BenchCluster cluster, Path work, Path bundle, int events, int partitions, int round,
                               List<String> cpus) throws Exception {
        String app = "scale-" + cpus.size() + "-" + round;
        Map<String, String> settings = BenchApps.settings(cluster, app, INPUT, partitions, work);
        double broker0 = CpuMeter.processCpuSeconds();
        List<AppProcess> instances = new ArrayList<>();
        try (CommittedCounter labels = new CommittedCounter(cluster.bootstrap(), settings.get("labels.topic"))) {
            for (int i = 0; i < cpus.size(); i++) {
                Map<String, String> own = new LinkedHashMap<>(settings);
                own.put("state.dir", work.resolve(app + "-state-" + i).toString());
                instances.add(AppProcess.start(work.resolve(app + "-" + i + ".log"), cpus.get(i), bundle,
                        cluster.bootstrap(), own));
            }
            for (AppProcess p : instances) {
                p.awaitReady(Duration.ofMinutes(2));
            }
            long allReady = System.nanoTime();
            labels.await(events, Duration.ofMinutes(30));
            if (labels.reached(events / 10) < allReady) {
                System.out.println("warning: 10% of the events were labeled before every instance was ready: the rate "
                        + "below includes start-up; run more events");
            }
            double rate = labels.rate(events / 10, events * 9 / 10);
            double appCpu = instances.stream().mapToDouble(AppProcess::cpuSeconds).sum();
            double brokerCpu = CpuMeter.processCpuSeconds() - broker0;
            System.out.printf(Locale.ROOT, "round %d, %d instance(s) on core(s) %s: %.1f events/s%n", round,
                    cpus.size(), cpus, rate);
            return new Phase(round, cpus.size(), rate, appCpu * 1000 / events, brokerCpu * 1000 / events);
        } finally {
            for (AppProcess p : instances) {
                p.close();
            }
        }
    }
}
