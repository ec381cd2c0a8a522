package dev.clstream.bench;

import dev.clstream.inference.RunPlanner;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.inference.Encoder;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.tokenize.TokenizedText;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Not a benchmark of record: how {@link InferenceEngine#predict} schedules a window, at several
 * batch sizes, against the schedule it had before (the same length-sorted batches, started shortest
 * first, with no re-balancing), which drives the same {@link Encoder} from 2 threads. Both run on
 * the benchmark's texts, already tokenised. Prints sequences/s and the CPU cores this JVM and other
 * work used. It is how the engine's schedule and its CPU default batch size were chosen.
 *
 * <p>Usage (classpath as in run-encoder-bench.sh): {@code java -cp ... dev.clstream.bench.BatchSchedulingProbe
 * [sets=short,email128] [batches=1,2,4,8,32] [reps=3]}
 */
public final class BatchSchedulingProbe {
    private static final int RUNNERS = 2;

    private BatchSchedulingProbe() {}

    public static void main(String[] args) throws IOException, InterruptedException, ExecutionException {
        List<String> sets = List.of(BenchTexts.SET_NAMES.toArray(new String[0]));
        String batches = "1,2,4,8,32";
        int reps = 3;
        for (String a : args) {
            if (a.startsWith("sets=")) {
                sets = List.of(a.substring(5).split(","));
            } else if (a.startsWith("batches=")) {
                batches = a.substring(8);
            } else if (a.startsWith("reps=")) {
                reps = Integer.parseInt(a.substring(5));
            }
        }
        ModelBundle bundle = BenchFixture.bundle();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ExecutorService pool = Executors.newFixedThreadPool(RUNNERS);
        try {
            for (String set : sets) {
                List<String> texts = BenchTexts.load().set(set).texts();
                for (String b : batches.split(",")) {
                    int batch = Integer.parseInt(b.trim());
                    EncoderOptions options = EncoderOptions.builder().concurrency(RUNNERS).maxTextsPerRun(batch).build();
                    try (InferenceEngine engine = InferenceEngine.open(bundle, options);
                         InferenceEngine oneRun = InferenceEngine.open(bundle,
                                 options.toBuilder().concurrency(1).intraOpThreads(RUNNERS).build());
                         Encoder encoder = Encoder.open(bundle.modelFile(), options, Optional.empty(), 0, 0,
                                 engine.tokenize("clstream probe"))) {
                        List<TokenizedText> tokens = new ArrayList<>();
                        for (String t : texts) {
                            tokens.add(engine.tokenize(t));
                        }
                        int[] lengths = tokens.stream().mapToInt(TokenizedText::length).toArray();
                        List<int[]> before = RunPlanner.group(lengths, batch, Integer.MAX_VALUE);
                        // One run makes the same batches as before: plan() evens sizes out only for several runs.
                        List<Mode> modes = List.of(
                                new Mode("shortest-first (before)", before.size(),
                                        () -> runAll(pool, encoder, tokens, before)),
                                new Mode("engine.predict", RunPlanner.plan(lengths, batch,
                                        Integer.MAX_VALUE, RUNNERS).runs().size(), () -> engine.predict(tokens)),
                                new Mode("1 run x 2 threads", before.size(), () -> oneRun.predict(tokens)));
                        for (Mode mode : modes) {
                            Op op = mode.op();
                            op.run();
                            double busy0 = CpuMeter.machineBusySeconds();
                            long cpu0 = os.getProcessCpuTime();
                            long t0 = System.nanoTime();
                            for (int r = 0; r < reps; r++) {
                                op.run();
                            }
                            double wall = (System.nanoTime() - t0) / 1e9;
                            double own = (os.getProcessCpuTime() - cpu0) / 1e9;
                            double others = Math.max(0, CpuMeter.machineBusySeconds() - busy0 - own);
                            System.out.printf(Locale.ROOT, "%-8s batch %-2d %-24s %2d batches %5.1f seq/s  CPU cores: "
                                            + "this JVM %.2f, other work %.2f%n", set, batch, mode.name(), mode.batches(),
                                    reps * texts.size() / wall, own / wall, others / wall);
                        }
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    private record Mode(String name, int batches, Op op) {}

    private interface Op {
        void run() throws InterruptedException, ExecutionException;
    }

    private static void runAll(ExecutorService pool, Encoder encoder, List<TokenizedText> tokens, List<int[]> batches)
            throws InterruptedException, ExecutionException {
        List<Future<?>> running = new ArrayList<>();
        for (int[] batch : batches) {
            running.add(pool.submit(() -> {
                List<TokenizedText> rows = new ArrayList<>(batch.length);
                for (int i : batch) {
                    rows.add(tokens.get(i));
                }
                encoder.encode(rows);
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
    }
}
