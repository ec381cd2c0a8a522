package dev.clstream.bench;

import dev.clstream.bundle.BuiltInBundles;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ClassifierHead;
import dev.clstream.bundle.LogitsSource;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.event.HeadLabel;
import dev.clstream.event.LabelOutput;
import dev.clstream.format.JsonOutputEncoder;
import dev.clstream.inference.Classification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * End-to-end rate of one bundle served with its one head and with three, in one run: the three-head bundle is the
 * same encoder files with two more linear heads on h_0 (4 and 3 labels, seeded weights: what they compute costs what a
 * trained head's would). One backlog of unique texts, read by one {@code clstream run} child JVM per phase, the
 * phases' order swapped each round. The broker runs in this JVM; rates between the moments 10% and 90% of the events
 * were labeled (read_committed). First, in this JVM, what the heads themselves cost per event: their classification
 * of one h_0 and the labeled record's JSON, for each bundle.
 *
 * <p>Usage: {@code HeadsBench [--events N] [--rounds R] [--bundle DIR]}; see bench/README.md.
 */
public final class HeadsBench {
    private HeadsBench() {}

    private record Phase(int round, int heads, double eventsPerSecond, double appCpuMsPerEvent) {}

    public static void main(String[] args) throws Exception {
        int events = 3000;
        int rounds = 3;
        Path bundle = Path.of("model-export/target/bundles", BuiltInBundles.DEFAULT_BUNDLE);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--bundle" -> bundle = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --events N, --rounds R, --bundle DIR)");
            }
        }
        Path work = Files.createTempDirectory("clstream-heads-bench");
        Path three = threeHeads(ModelBundle.load(bundle), work.resolve("three-heads"));
        printPerEventCost(ModelBundle.load(bundle).manifest(), ModelBundle.load(three).manifest());
        List<String> corpus = BenchTexts.load().set(BenchTexts.SHORT).texts();
        System.out.printf(Locale.ROOT, "heads bench: %d unique events per phase; bundle %s with 1 head and with 3 "
                + "(%s), logs in %s%n", events, bundle.getFileName(), three, work);
        List<Phase> phases = new ArrayList<>();
        try (BenchCluster cluster = BenchCluster.start()) {
            cluster.createTopic("heads-input", 2, Map.of());
            cluster.produce("heads-input", events, "e", BenchApps.uniqueTexts(corpus, events, "ref"));
            for (int round = 1; round <= rounds; round++) {
                List<Integer> order = round % 2 == 1 ? List.of(1, 3) : List.of(3, 1);
                Phase[] pair = new Phase[2];
                for (int heads : order) {
                    pair[heads == 1 ? 0 : 1] = phase(cluster, work, heads == 1 ? bundle : three, events, heads, round);
                }
                phases.addAll(List.of(pair));
            }
        }
        System.out.println();
        System.out.println("| round | heads | events/s (10%-90%) | app CPU ms/event | ratio to 1 head |");
        System.out.println("|---:|---:|---:|---:|---:|");
        for (int i = 0; i < phases.size(); i++) {
            Phase p = phases.get(i);
            double one = phases.get(i - (p.heads() == 1 ? 0 : 1)).eventsPerSecond();
            System.out.printf(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.3f |%n", p.round(), p.heads(),
                    p.eventsPerSecond(), p.appCpuMsPerEvent(), p.eventsPerSecond() / one);
        }
    }

    /** {@code bundle}'s encoder files with its head and two more after it, written to {@code dir}. */
    static Path threeHeads(ModelBundle bundle, Path dir) throws Exception {
        Files.createDirectories(dir);
        // Every file, parity.json too: it holds h_0 and the primary's probabilities, which the added heads leave as
        // they were, so both bundles are checked (and warmed up by the check) alike at start-up.
        for (String file : bundle.manifest().files().keySet()) {
            Files.copy(bundle.directory().resolve(file), dir.resolve(file));
        }
        BundleManifest m = bundle.manifest();
        int hidden = ((LogitsSource.LinearHead) m.logits().orElseThrow(() -> new IllegalArgumentException(
                bundle.directory() + " has no linear head to add heads beside"))).hiddenSize();
        List<ClassifierHead> heads = new ArrayList<>(m.heads());
        heads.add(new ClassifierHead("topic", List.of("billing", "shipping", "account", "other"), random(4, hidden, 1)));
        heads.add(new ClassifierHead("urgency", List.of("low", "medium", "high"), random(3, hidden, 2)));
        ModelBundle.write(dir, m.withHeads(heads));
        return dir;
    }

    /**
     * What the heads themselves add to an event, measured in this JVM: every head's softmax(W·h_0 + b) on one h_0, and
     * the labeled record in JSON, for each bundle (the median of 5 passes of 100,000 events, after 2 warm-up passes).
     */
    private static void printPerEventCost(BundleManifest one, BundleManifest three) {
        double[] heads = new double[2];
        double[] json = new double[2];
        long[] bytes = new long[2];
        List<BundleManifest> bundles = List.of(one, three);
        for (int b = 0; b < 2; b++) {
            heads[b] = medianNanos(perEvent(bundles.get(b), false));
            json[b] = medianNanos(perEvent(bundles.get(b), true));
            bytes[b] = perEvent(bundles.get(b), true).getAsLong() / 100_000;
        }
        System.out.printf(Locale.ROOT, "per event in this JVM: heads %.2f us (1 head) vs %.2f us (3 heads); labeled "
                + "record in JSON %.2f us vs %.2f us, %d vs %d bytes%n", heads[0] / 1e3, heads[1] / 1e3,
                json[0] / 1e3, json[1] / 1e3, bytes[0], bytes[1]);
    }

    /** One pass over 100,000 events: the heads' classifications, or the JSON record of precomputed ones. */
    private static java.util.function.LongSupplier perEvent(BundleManifest m, boolean json) {
        int hidden = ((LogitsSource.LinearHead) m.logits().orElseThrow()).hiddenSize();
        float[] h = new float[hidden];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int j = 0; j < hidden; j++) {
            h[j] = (float) rnd.nextGaussian();
        }
        List<HeadLabel> results = new ArrayList<>();
        for (ClassifierHead head : m.heads()) {
            Classification c = Classification.fromLogits(head.labels(), ((LogitsSource.LinearHead) head.logits()).logits(h));
            results.add(new HeadLabel(head.name(), c.label(), c.score(), c.labels(), c.probabilities()));
        }
        List<HeadLabel> named = m.namedHeads().isEmpty() ? List.of() : results;
        JsonOutputEncoder encoder = new JsonOutputEncoder();
        return () -> {
            long sink = 0;
            for (int i = 0; i < 100_000; i++) {
                if (json) {
                    sink += encoder.labeled("labels", new LabelOutput("e-" + i, results.get(0), named, m.name(),
                            m.version(), 40, false, null, 1_765_000_000_000L + i)).length;
                } else {
                    h[0] = i;
                    for (ClassifierHead head : m.heads()) {
                        sink += Classification.fromLogits(head.labels(),
                                ((LogitsSource.LinearHead) head.logits()).logits(h)).topIndex();
                    }
                }
            }
            return sink;
        };
    }

    private static double medianNanos(java.util.function.LongSupplier pass) {
        long sink = 0;
        double[] perEvent = new double[7];
        for (int p = 0; p < perEvent.length; p++) {
            long start = System.nanoTime();
            sink += pass.getAsLong();
            perEvent[p] = (System.nanoTime() - start) / 100_000.0;
        }
        if (sink == 42) {
            System.out.print(""); // keeps the work from being optimised away
        }
        double[] measured = java.util.Arrays.copyOfRange(perEvent, 2, perEvent.length);
        java.util.Arrays.sort(measured);
        return measured[measured.length / 2];
    }

    private static LogitsSource.LinearHead random(int labels, int hidden, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] w = new float[labels][hidden];
        float[] b = new float[labels];
        for (int k = 0; k < labels; k++) {
            for (int j = 0; j < hidden; j++) {
                w[k][j] = (float) (rnd.nextGaussian() * 0.05);
            }
            b[k] = (float) rnd.nextGaussian() * 0.1f;
        }
        return new LogitsSource.LinearHead(w, b);
    }

    private static Phase phase(BenchCluster cluster, Path work, Path bundle, int events, int heads, int round)
            throws Exception {
        String app = "heads-" + heads + "-" + round;
        Map<String, String> settings = BenchApps.settings(cluster, app, "heads-input", 2, work);
        try (CommittedCounter labels = new CommittedCounter(cluster.bootstrap(), settings.get("labels.topic"));
             AppProcess instance = AppProcess.start(work.resolve(app + ".log"), null, bundle, cluster.bootstrap(),
                     settings)) {
            double rate = BenchApps.backlogRate(instance, labels, events);
            double cpu = instance.cpuSeconds();
            System.out.printf(Locale.ROOT, "round %d, %d head(s): %.1f events/s, %d labels of %d distinct ids%n",
                    round, heads, rate, labels.count(), labels.distinctKeys());
            return new Phase(round, heads, rate, cpu * 1000 / events);
        }
    }
}
