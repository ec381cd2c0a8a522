package dev.clstream.bench;

import dev.clstream.batching.LengthAwareBatcher;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.inference.Encoder;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.tokenize.TokenizedText;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Evidence for an engine scheduling issue, not a benchmark of record: on the benchmark's texts
 * (already tokenised), {@link InferenceEngine#predict} with its default 2 runs x 1 thread, against
 * the same {@link Encoder} driven by 2 threads that take the same length-sorted batches longest
 * first, and against an even split of the window into a multiple of 2 batches, longest first.
 * Prints sequences/s and the CPU cores this JVM and other work used.
 *
 * <p>Usage (classpath as in run-encoder-bench.sh): {@code java -cp ... dev.clstream.bench.BatchSchedulingProbe
 * [sets=short,email128] [batches=8,32] [reps=3]}
 */
public final class BatchSchedulingProbe {
    private static final int RUNNERS = 2;

    private BatchSchedulingProbe() {}

    public static void main(String[] args) throws IOException, InterruptedException, ExecutionException {
        List<String> sets = List.of(BenchTexts.SET_NAMES.toArray(new String[0]));
        String batches = "8,32";
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
                    EncoderOptions options = EncoderOptions.builder().maxBatchSize(batch).build();
                    try (InferenceEngine engine = InferenceEngine.open(bundle, options);
                         Encoder encoder = Encoder.open(bundle.modelFile(), options, Optional.empty(), 0, 0,
                                 engine.tokenize("clstream probe"))) {
                        List<TokenizedText> tokens = new ArrayList<>();
                        for (String t : texts) {
                            tokens.add(engine.tokenize(t));
                        }
                        int[] lengths = tokens.stream().mapToInt(TokenizedText::length).toArray();
                        for (String mode : new String[] {"engine.predict", "longest-first", "even-split+longest-first"}) {
                            List<int[]> plan;
                            if (mode.startsWith("even")) {
                                int count = (int) Math.ceil(lengths.length / (double) batch);
                                count = (count + RUNNERS - 1) / RUNNERS * RUNNERS;
                                plan = LengthAwareBatcher.plan(lengths, (int) Math.ceil(lengths.length / (double) count),
                                        Integer.MAX_VALUE);
                            } else {
                                plan = LengthAwareBatcher.plan(lengths, batch, Integer.MAX_VALUE);
                            }
                            List<int[]> longestFirst = new ArrayList<>(plan);
                            Collections.reverse(longestFirst);
                            Op op = mode.equals("engine.predict") ? () -> engine.predict(tokens)
                                    : () -> runAll(pool, encoder, tokens, longestFirst);
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
                            System.out.printf(Locale.ROOT, "%-8s batch %-2d %-25s %2d batches %5.1f seq/s  CPU cores: "
                                            + "this JVM %.2f, other work %.2f%n", set, batch, mode, plan.size(),
                                    reps * texts.size() / wall, own / wall, others / wall);
                        }
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

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
