package dev.clstream.bench;

import dev.clstream.avro.LabeledEvent;
import dev.clstream.avro.TextEvent;
import dev.clstream.avro.TrustedClasses;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Prediction;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.serde.AvroDeserializer;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.serde.SchemaRegistryClient;
import dev.clstream.serde.SchemaRegistryClients;
import dev.clstream.tokenize.TokenizedText;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end load run: clstream in embedded mode (a real KRaft broker in this JVM, Avro through the
 * in-JVM registry, exactly-once), fed SpamAssassin-derived short events, measured until every event
 * is labeled (read_committed). In the same run, the encoder alone on the same texts, in windows of
 * {@code batch.max.size}, gives the ceiling the stream is compared with.
 *
 * <p>The stream starts cold (Kafka's clients, the broker, Streams): a warm-up of {@code --warmup-seconds} (30) of
 * events at full rate first, so that what is compared is the steady state (the JIT compiler's time in each phase is
 * printed beside it). Then {@code --rounds} (3) rounds of the encoder alone and the stream on a backlog, one after the
 * other, and the median of their ratios: the machine's noise moves either side by several percent between minutes.
 *
 * <p>Usage: {@code EndToEndBench [--events N] [--bundle DIR] [--warmup-seconds S] [--rounds R]}; see bench/README.md.
 */
public final class EndToEndBench {
    private EndToEndBench() {}

    public static void main(String[] args) throws Exception {
        int events = 2000;
        Path bundleDir = Path.of("model-export/target/bundles/bge-small-en-v15-spam");
        int warmupSeconds = 30;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--bundle" -> bundleDir = Path.of(args[++i]);
                case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --events N, --bundle DIR, --warmup-seconds S, --rounds R)");
            }
        }
        TrustedClasses.install();
        ModelBundle bundle = ModelBundle.load(bundleDir);
        List<String> texts = BenchTexts.load().set(BenchTexts.SHORT).texts();
        // The events cycle through the sample's texts, so with the repeat cache on most would skip the encoder: off,
        // the stream is compared with the encoder alone on equal work (RepeatCacheBench measures the cache).
        ClstreamConfig config = ClstreamConfig.of(Map.of(ClstreamConfig.MODEL_BUNDLE, bundleDir.toString(),
                "application.id", "clstream-e2e-bench", ClstreamConfig.INFERENCE_CACHE_MAX_BYTES, "0"));
        System.out.printf(Locale.ROOT, "end-to-end bench: %d events cycling %d short texts (subject + first 200 chars), "
                        + "bundle %s, %d cores, batch.max.size %d, %d rounds%n", events, texts.size(),
                bundle.manifest().id(), Runtime.getRuntime().availableProcessors(), config.microBatch().maxEvents(),
                rounds);

        try (ClstreamRuntime runtime = ClstreamRuntime.start(config)) {
            if (!runtime.awaitRunning(Duration.ofSeconds(60))) {
                throw new IllegalStateException("Kafka Streams did not reach RUNNING");
            }
            ClstreamConfig c = runtime.config();
            Load load = new Load(c, texts);
            // Backlogs of a few seconds of encoder work each, until the warm-up time is spent.
            int warmupEvents = 0;
            double warmupJit = 0;
            long warmupStart = System.nanoTime();
            long warmupEnd = warmupStart + Duration.ofSeconds(warmupSeconds).toNanos();
            do {
                Result r = load.run("warm-up", 128, 0);
                warmupEvents += r.latenciesMs().length;
                warmupJit += r.jitSeconds();
            } while (System.nanoTime() < warmupEnd);
            System.out.printf(Locale.ROOT, "warm-up: %d events in %.0f s at full rate before measuring; JIT compiler "
                    + "%.1f s in it%n", warmupEvents, (System.nanoTime() - warmupStart) / 1e9, warmupJit);
            // Each round: the encoder alone (the stream idle beside it, in this JVM), then the stream on a backlog,
            // one right after the other, so that the machine's drifts hit both sides of a round's ratio alike.
            double[] ratios = new double[rounds];
            double[] backlogRates = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                double encoderRate = encoderOnly(bundle, config, texts, events);
                Result backlog = load.run("backlog", events, 0);
                backlogRates[r] = backlog.rate();
                ratios[r] = backlog.rate() / encoderRate;
                System.out.printf(Locale.ROOT, "round %d: encoder only (tokenise + encode + head, windows of %d) %.1f "
                                + "events/s; end to end, %d events produced at once, %.1f events/s (first produced to "
                                + "last labeled); ratio %.2f; JIT compiler %.1f s, GC %.1f s in the backlog%n", r + 1,
                        config.microBatch().maxEvents(), encoderRate, events, backlog.rate(), ratios[r],
                        backlog.jitSeconds(), backlog.gcSeconds());
            }
            double paced = 0.7 * median(backlogRates);
            int latencyEvents = Math.min(events, (int) Math.max(200, paced * 30));
            Result steady = load.run("paced", latencyEvents, paced);
            System.out.printf(Locale.ROOT, "end to end, %d events at %.1f events/s (70%% of the median backlog rate): "
                            + "latency event time -> labeled and read: p50 %.0f ms, p99 %.0f ms, max %.0f ms; JIT "
                            + "compiler %.1f s in it%n", latencyEvents, paced, steady.percentile(50),
                    steady.percentile(99), steady.percentile(100), steady.jitSeconds());
            double[] sorted = ratios.clone();
            Arrays.sort(sorted);
            System.out.println();
            System.out.println("| measure | value |");
            System.out.println("|---|---:|");
            System.out.printf(Locale.ROOT, "| end to end (backlog of %d), events/s, median of %d rounds | %.1f |%n",
                    events, rounds, median(backlogRates));
            System.out.printf(Locale.ROOT, "| ratio end to end / encoder only, median (range) | %.2f (%.2f-%.2f) |%n",
                    median(ratios), sorted[0], sorted[rounds - 1]);
            System.out.printf(Locale.ROOT, "| latency p50 / p99 at %.1f events/s, ms | %.0f / %.0f |%n", paced,
                    steady.percentile(50), steady.percentile(99));
            load.close();
        }
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The engine alone on the same texts, in the windows the batcher would send it. */
    private static double encoderOnly(ModelBundle bundle, ClstreamConfig config, List<String> texts, int events) {
        int window = config.microBatch().maxEvents();
        try (InferenceEngine engine = InferenceEngine.open(bundle, config.encoderOptions())) {
            engine.predict(texts.subList(0, window).stream().map(engine::tokenize).toList());
            long start = System.nanoTime();
            int done = 0;
            while (done < events) {
                List<TokenizedText> batch = new ArrayList<>(window);
                for (int i = 0; i < window && done + i < events; i++) {
                    batch.add(engine.tokenize(texts.get((done + i) % texts.size())));
                }
                List<Prediction> out = engine.predict(batch);
                done += out.size();
            }
            return done / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** A phase's rate and latencies, and the time the JVM spent compiling and collecting garbage during it. */
    private record Result(double rate, long[] latenciesMs, double jitSeconds, double gcSeconds) {
        double percentile(double p) {
            long[] s = latenciesMs.clone();
            Arrays.sort(s);
            return s[Math.min(s.length - 1, Math.max(0, (int) Math.ceil(p / 100 * s.length) - 1))];
        }
    }

    /** Produces events and reads labels back until every one is seen. */
    private static final class Load implements AutoCloseable {
        private final ClstreamConfig config;
        private final List<String> texts;
        private final KafkaProducer<byte[], byte[]> producer;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final AvroSerializer<TextEvent> serializer;
        private final AvroDeserializer<LabeledEvent> deserializer;
        private int round;

        Load(ClstreamConfig config, List<String> texts) {
            this.config = config;
            this.texts = texts;
            SchemaRegistryClient registry = SchemaRegistryClients.create(config.registry());
            serializer = new AvroSerializer<>(registry);
            deserializer = AvroDeserializer.specific(registry, LabeledEvent.class);
            Properties p = config.producerProperties();
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
            Properties q = config.consumerProperties();
            q.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            q.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumer = new KafkaConsumer<>(q, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> parts = consumer.partitionsFor(config.labelsTopic(), Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(config.labelsTopic(), i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position);
        }

        /** Produces {@code n} events ({@code rate} per second, or all at once when 0) and waits for their labels. */
        Result run(String name, int n, double rate) {
            String prefix = name + "-" + (round++) + "-";
            Set<String> pending = new HashSet<>();
            long[] latencies = new long[n];
            int seen = 0;
            int sent = 0;
            long jitStart = jitMillis();
            long gcStart = gcMillis();
            long start = System.nanoTime();
            long deadline = start + Duration.ofMinutes(30).toNanos();
            while (seen < n) {
                while (sent < n && (rate <= 0 || sent < (System.nanoTime() - start) / 1e9 * rate)) {
                    String id = prefix + sent;
                    pending.add(id);
                    producer.send(new ProducerRecord<>(config.inputTopic(), id.getBytes(StandardCharsets.UTF_8),
                            serializer.serialize(config.inputTopic(), TextEvent.newBuilder().setId(id)
                                    .setText(texts.get(sent % texts.size())).setEventTime(Instant.now()).build())));
                    sent++;
                }
                if (sent == n) {
                    producer.flush();
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    LabeledEvent e = deserializer.deserialize(config.labelsTopic(), r.value());
                    if (pending.remove(e.getId())) {
                        latencies[seen++] = System.currentTimeMillis() - e.getEventTime().toEpochMilli();
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + ": only " + seen + " of " + n + " labeled in 30 minutes");
                }
            }
            return new Result(n / ((System.nanoTime() - start) / 1e9), latencies, (jitMillis() - jitStart) / 1e3,
                    (gcMillis() - gcStart) / 1e3);
        }

        /** The JIT compiler's time so far; 0 in a JVM without one (interpreted only). */
        private static long jitMillis() {
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            return jit == null || !jit.isCompilationTimeMonitoringSupported() ? 0 : jit.getTotalCompilationTime();
        }

        private static long gcMillis() {
            return ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
