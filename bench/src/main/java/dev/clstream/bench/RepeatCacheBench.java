package dev.clstream.bench;

import dev.clstream.bundle.BuiltInBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * End-to-end rate with repeated texts, the cache of repeats off and on, in one run: for each share of repeats (0%,
 * 50%, 90% by default) one backlog of events, where a repeat is one of 20 "campaign" texts and every other event is a
 * text seen nowhere else (a short corpus text with its own reference number); read by one {@code clstream run} child
 * JVM with {@code inference.cache.max.bytes=0}, then by another with the default cache. The broker runs in this JVM.
 * Rates are read between the moments 10% and 90% of the events were labeled (read_committed).
 *
 * <p>Usage: {@code RepeatCacheBench [--events N] [--repeats 0,50,90] [--rounds R] [--bundle DIR]}; see
 * bench/README.md.
 */
public final class RepeatCacheBench {
    private static final int CAMPAIGNS = 20;

    private RepeatCacheBench() {}

    private record Phase(int round, int repeatPercent, boolean cache, double eventsPerSecond,
                         double appCpuMsPerEvent) {}

    public static void main(String[] args) throws Exception {
        int events = 3000;
        int rounds = 1;
        List<Integer> repeats = List.of(0, 50, 90);
        Path bundle = Path.of("model-export/target/bundles", BuiltInBundles.DEFAULT_BUNDLE);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = List.of(args[++i].split(",")).stream().map(Integer::parseInt).toList();
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--bundle" -> bundle = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --events N, --repeats P,P,..., --rounds R, --bundle DIR)");
            }
        }
        List<String> corpus = BenchTexts.load().set(BenchTexts.SHORT).texts();
        Path work = Files.createTempDirectory("clstream-cache-bench");
        System.out.printf(Locale.ROOT, "repeat cache bench: %d events per phase, repeats %s%% of %d campaign texts, "
                + "the rest unique; bundle %s, logs in %s%n", events, repeats, CAMPAIGNS, bundle.getFileName(), work);
        List<Phase> phases = new ArrayList<>();
        try (BenchCluster cluster = BenchCluster.start()) {
            for (int percent : repeats) {
                String input = "cache-input-" + percent;
                cluster.createTopic(input, 2, Map.of());
                cluster.produce(input, events, "e", texts(corpus, events, percent));
            }
            // Rounds swap the order of off and on, so that a slow spell of this shared machine shows as spread.
            for (int round = 1; round <= rounds; round++) {
                for (int percent : repeats) {
                    List<Boolean> order = round % 2 == 1 ? List.of(false, true) : List.of(true, false);
                    Phase[] pair = new Phase[2];
                    for (boolean cache : order) {
                        pair[cache ? 1 : 0] = phase(cluster, work, bundle, "cache-input-" + percent, events, percent,
                                cache, round);
                    }
                    phases.addAll(List.of(pair));
                }
            }
        }
        System.out.println();
        System.out.println("| round | repeated texts | cache | events/s (10%-90%) | app CPU ms/event "
                + "| ratio to cache off | ratio to 0% repeats, cache off |");
        System.out.println("|---:|---:|---|---:|---:|---:|---:|");
        for (int i = 0; i < phases.size(); i++) {
            Phase p = phases.get(i);
            double off = phases.get(i - (p.cache() ? 1 : 0)).eventsPerSecond();
            double base = phases.stream().filter(q -> q.round() == p.round() && q.repeatPercent() == 0 && !q.cache())
                    .mapToDouble(Phase::eventsPerSecond).findFirst().orElse(Double.NaN);
            System.out.printf(Locale.ROOT, "| %d | %d%% | %s | %.1f | %.1f | %.2f | %.2f |%n", p.round(),
                    p.repeatPercent(),
                    p.cache() ? "on (default)" : "off", p.eventsPerSecond(), p.appCpuMsPerEvent(),
                    p.eventsPerSecond() / off, p.eventsPerSecond() / base);
        }
    }

    /**
     * The events' texts, in order: with probability {@code percent}%, one of the campaign texts; otherwise a corpus
     * text made unique by its event number (a few more tokens), so that only the campaigns repeat.
     */
    static List<String> texts(List<String> corpus, int events, int percent) {
        SplittableRandom rnd = new SplittableRandom(20261206L + percent);
        List<String> out = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            out.add(rnd.nextInt(100) < percent ? corpus.get(rnd.nextInt(CAMPAIGNS))
                    : BenchApps.uniqueText(corpus, i, "ref"));
        }
        return out;
    }

    private static Phase phase(BenchCluster cluster, Path work, Path bundle, String input, int events, int percent,
                               boolean cache, int round) throws Exception {
        String app = "cache-" + percent + (cache ? "-on-" : "-off-") + round;
        Map<String, String> settings = new LinkedHashMap<>(BenchApps.settings(cluster, app, input, 2, work));
        if (cache) {
            settings.remove("inference.cache.max.bytes"); // the default size
        }
        try (CommittedCounter labels = new CommittedCounter(cluster.bootstrap(), settings.get("labels.topic"));
             AppProcess instance = AppProcess.start(work.resolve(app + ".log"), null, bundle, cluster.bootstrap(),
                     settings)) {
            double rate = BenchApps.backlogRate(instance, labels, events);
            double cpu = instance.cpuSeconds();
            System.out.printf(Locale.ROOT, "round %d, %d%% repeats, cache %s: %.1f events/s, %d labels of %d distinct "
                    + "ids%n", round, percent, cache ? "on" : "off", rate, labels.count(), labels.distinctKeys());
            return new Phase(round, percent, cache, rate, cpu * 1000 / events);
        }
    }
}
