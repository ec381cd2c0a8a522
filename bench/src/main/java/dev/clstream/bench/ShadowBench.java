package dev.clstream.bench;

import dev.clstream.bundle.BuiltInBundles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What a shadow model costs the serving one: one {@code clstream run} child JVM without a shadow, one with
 * {@code model.shadow.bundle} at {@code model.shadow.sample.rate} (0.1 by default), each through a backlog of
 * unique events (rate between 10% and 90% labeled, read_committed) and then through events produced at 70% of the
 * backlog rate without a shadow (latency from the input's timestamp to the label's {@code processed_time}). Rounds
 * swap the order of the two. The broker runs in this JVM.
 *
 * <p>Usage: {@code ShadowBench [--events N] [--paced-events N] [--rounds R] [--rate X] [--bundle DIR]
 * [--shadow DIR]}; see bench/README.md.
 */
public final class ShadowBench {
    private ShadowBench() {}

    private record Phase(int round, boolean shadow, double eventsPerSecond, double pacedRate, long p50, long p99,
                         double appCpuMsPerEvent) {}

    public static void main(String[] args) throws Exception {
        int events = 3000;
        int pacedEvents = 1500;
        int rounds = 2;
        double rate = 0.1;
        Path bundle = Path.of("model-export/target/bundles", BuiltInBundles.DEFAULT_BUNDLE);
        Path shadow = Path.of("model-export/target/bundles/bge-small-en-v15-spam-int8");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--paced-events" -> pacedEvents = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--bundle" -> bundle = Path.of(args[++i]);
                case "--shadow" -> shadow = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (use --events N, "
                        + "--paced-events N, --rounds R, --rate X, --bundle DIR, --shadow DIR)");
            }
        }
        List<String> corpus = BenchTexts.load().set(BenchTexts.SHORT).texts();
        Path work = Files.createTempDirectory("clstream-shadow-bench");
        System.out.printf(Locale.ROOT, "shadow bench: %d backlog + %d paced unique events per phase, serving %s, "
                + "shadow %s on %.0f%% of events, logs in %s%n", events, pacedEvents, bundle.getFileName(),
                shadow.getFileName(), rate * 100, work);
        List<Phase> phases = new ArrayList<>();
        try (BenchCluster cluster = BenchCluster.start()) {
            double paced = Double.NaN;
            for (int round = 1; round <= rounds; round++) {
                for (boolean on : round % 2 == 1 ? List.of(false, true) : List.of(true, false)) {
                    Phase p = phase(cluster, work, bundle, on ? shadow : null, rate, corpus, events, pacedEvents,
                            round, paced);
                    if (Double.isNaN(paced)) {
                        paced = 0.7 * p.eventsPerSecond();
                    }
                    phases.add(p);
                }
            }
        }
        System.out.println();
        System.out.println("| round | shadow | events/s (backlog, 10%-90%) | app CPU ms/event | latency p50 / p99 at "
                + "the paced rate, ms |");
        System.out.println("|---:|---|---:|---:|---|");
        for (Phase p : phases) {
            System.out.printf(Locale.ROOT, "| %d | %s | %.1f | %.1f | %d / %d at %.1f events/s |%n", p.round(),
                    p.shadow() ? "on, " + Math.round(rate * 100) + "%" : "off", p.eventsPerSecond(),
                    p.appCpuMsPerEvent(), p.p50(), p.p99(), p.pacedRate());
        }
        for (int round = 1; round <= rounds; round++) {
            int r = round;
            Phase off = phases.stream().filter(p -> p.round() == r && !p.shadow()).findFirst().orElseThrow();
            Phase on = phases.stream().filter(p -> p.round() == r && p.shadow()).findFirst().orElseThrow();
            System.out.printf(Locale.ROOT, "round %d: with the shadow / without: throughput %.3f, p50 %.2f, p99 %.2f%n",
                    r, on.eventsPerSecond() / off.eventsPerSecond(), (double) on.p50() / off.p50(),
                    (double) on.p99() / off.p99());
        }
    }

    /**
     * One application through its own backlog, then through events produced at {@code pacedRate} (NaN: at 70% of
     * this phase's backlog rate, which then sets it for every other phase).
     */
    private static Phase phase(BenchCluster cluster, Path work, Path bundle, Path shadow, double rate,
                               List<String> corpus, int events, int pacedEvents, int round, double pacedRate)
            throws Exception {
        String app = "shadow-" + (shadow == null ? "off-" : "on-") + round;
        String input = app + "-input";
        cluster.createTopic(input, 2, Map.of());
        cluster.produce(input, events, "b", BenchApps.uniqueTexts(corpus, events, "b"));
        Map<String, String> settings = new LinkedHashMap<>(BenchApps.settings(cluster, app, input, 2, work));
        if (shadow != null) {
            settings.put("model.shadow.bundle", shadow.toAbsolutePath().toString());
            settings.put("model.shadow.sample.rate", Double.toString(rate));
        }
        try (CommittedCounter labels = new CommittedCounter(cluster.bootstrap(), settings.get("labels.topic"), true);
             AppProcess instance = AppProcess.start(work.resolve(app + ".log"), null, bundle, cluster.bootstrap(),
                     settings)) {
            double backlog = BenchApps.backlogRate(instance, labels, events);
            double cpu = instance.cpuSeconds();
            double paced = Double.isNaN(pacedRate) ? 0.7 * backlog : pacedRate;
            producePaced(cluster, input, BenchApps.uniqueTexts(corpus, pacedEvents, "p"), paced);
            labels.await(events + pacedEvents, Duration.ofMinutes(30));
            long p50 = labels.latencyPercentileMs("p-", 50);
            long p99 = labels.latencyPercentileMs("p-", 99);
            System.out.printf(Locale.ROOT, "round %d, shadow %s: %.1f events/s; at %.1f events/s latency p50 %d ms, "
                            + "p99 %d ms; %d labels of %d distinct ids%n", round, shadow == null ? "off" : "on", backlog,
                    paced, p50, p99, labels.count(), labels.distinctKeys());
            return new Phase(round, shadow != null, backlog, paced, p50, p99, cpu * 1000 / events);
        }
    }

    /** Sends {@code texts} at {@code perSecond}, keys {@code p-i}, each stamped with its send time. */
    private static void producePaced(BenchCluster cluster, String topic, List<String> texts, double perSecond)
            throws InterruptedException {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(), ProducerConfig.LINGER_MS_CONFIG, 0),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < texts.size(); i++) {
                long due = start + (long) (i / perSecond * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(),
                        ("p-" + i).getBytes(StandardCharsets.UTF_8), texts.get(i).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }
}
