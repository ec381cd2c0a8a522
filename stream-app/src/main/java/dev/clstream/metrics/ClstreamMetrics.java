package dev.clstream.metrics;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.live.LiveWindow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The facts the topology records about its work, as Micrometer meters named for Prometheus
 * ({@code clstream.events.in} is scraped as {@code clstream_events_in_total}, timers in seconds).
 * The topology calls it once per event or once per micro-batch, never per token. Meters with a
 * tag (reason, label, output) are looked up once and kept, since the registry's own lookup costs
 * a map search and an id allocation on every call.
 *
 * <p>The same facts, with the ids and texts that meters leave out, go to the live page's
 * {@link LiveWindow} when there is one.
 */
public final class ClstreamMetrics {
    public static final String OUTPUT_LABELS = "labels";
    public static final String OUTPUT_EMBEDDINGS = "embeddings";
    public static final String OUTPUT_DEAD_LETTERS = "dead_letters";

    // Buckets are fixed rather than Micrometer's percentile histograms: about a dozen series per meter
    // instead of ~70, at bounds that mean something for this workload.
    private static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    private static final double[] BATCH_TOKEN_BUCKETS = {16, 64, 256, 1024, 2048, 4096, 8192, 16384, 65536};
    private static final double[] RATIO_BUCKETS = {0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    private static final double[] CONFIDENCE_BUCKETS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0};
    private static final Duration[] TOKENIZE_BUCKETS = millis(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 50, 100);
    private static final Duration[] INFERENCE_BUCKETS = millis(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000);
    private static final Duration[] END_TO_END_BUCKETS = millis(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
            30000, 60000, 300000);

    private final MeterRegistry registry;
    /** Null when no live page is served (tests, tools). */
    private final LiveWindow live;
    private final Counter eventsIn;
    private final Counter truncated;
    private final DistributionSummary batchSize;
    private final DistributionSummary batchTokens;
    private final DistributionSummary paddingRatio;
    private final Timer tokenize;
    private final Timer inference;
    private final Timer endToEnd;
    private final Map<String, Counter> eventsOut = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<String, LabelMeters> labels = new ConcurrentHashMap<>();

    private record LabelMeters(Counter predictions, DistributionSummary confidence) {}

    public ClstreamMetrics(MeterRegistry registry) {
        this(registry, null);
    }

    /** @param live also fed with every event, for the live page; null for none */
    public ClstreamMetrics(MeterRegistry registry, LiveWindow live) {
        this.registry = registry;
        this.live = live;
        eventsIn = Counter.builder("clstream.events.in").description("Input records read, good or bad")
                .register(registry);
        truncated = Counter.builder("clstream.truncated").description("Texts cut at the bundle's max length")
                .register(registry);
        batchSize = DistributionSummary.builder("clstream.batch.size").description("Events per micro-batch")
                .serviceLevelObjectives(BATCH_SIZE_BUCKETS).register(registry);
        batchTokens = DistributionSummary.builder("clstream.batch.tokens")
                .description("Tokens per micro-batch, special tokens included, padding not")
                .serviceLevelObjectives(BATCH_TOKEN_BUCKETS).register(registry);
        paddingRatio = DistributionSummary.builder("clstream.batch.padding.ratio")
                .description("Share of a micro-batch's padded token grid that is padding")
                .serviceLevelObjectives(RATIO_BUCKETS).register(registry);
        tokenize = Timer.builder("clstream.tokenize").description("Tokenisation time per event")
                .serviceLevelObjectives(TOKENIZE_BUCKETS).register(registry);
        inference = Timer.builder("clstream.inference").description("Encoder and head time per micro-batch")
                .serviceLevelObjectives(INFERENCE_BUCKETS).register(registry);
        endToEnd = Timer.builder("clstream.end.to.end.latency")
                .description("From the event's time (or its record timestamp) to its output")
                .serviceLevelObjectives(END_TO_END_BUCKETS).register(registry);
    }

    /** Meters that record nothing: for callers (and older tests) that do not watch metrics. */
    public static ClstreamMetrics noop() {
        // A composite registry without children hands out no-op meters.
        return new ClstreamMetrics(new CompositeMeterRegistry());
    }

    /** {@code clstream_model_info{model, version} 1}: joins any series to the model that produced it. */
    public void modelInfo(BundleManifest model) {
        Gauge.builder("clstream.model.info", () -> 1).description("The model bundle being served")
                .tag("model", model.name()).tag("version", model.version()).register(registry);
    }

    public void eventIn() {
        eventsIn.increment();
        if (live != null) {
            live.eventIn();
        }
    }

    /** One record written to an output: {@link #OUTPUT_LABELS}, {@link #OUTPUT_EMBEDDINGS} or dead letters. */
    public void eventOut(String output) {
        eventsOut.computeIfAbsent(output, o -> Counter.builder("clstream.events.out")
                .description("Records written, per output").tag("output", o).register(registry)).increment();
    }

    /**
     * One record dead-lettered.
     *
     * @param stage the pipeline stage it failed in
     * @param message what was wrong with it
     * @param source where it came from, {@code topic-partition@offset}
     */
    public void deadLetter(String reason, String stage, String message, String source) {
        deadLetters.computeIfAbsent(reason, r -> Counter.builder("clstream.dead.letters")
                .description("Dead letters written, per reason code").tag("reason", r).register(registry)).increment();
        eventOut(OUTPUT_DEAD_LETTERS);
        if (live != null) {
            live.deadLetter(reason, stage, message, source);
        }
    }

    public void tokenized(long nanos) {
        tokenize.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * One micro-batch through the encoder.
     *
     * @param tokens real tokens in the batch
     * @param paddedTokens the token grid the encoder ran over (each encoder run's rows times its longest row)
     */
    public void batch(int events, long tokens, long paddedTokens, long inferenceNanos) {
        batchSize.record(events);
        batchTokens.record(tokens);
        if (paddedTokens > 0) {
            paddingRatio.record(1.0 - (double) tokens / paddedTokens);
        }
        inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
        if (live != null) {
            live.batch(events, inferenceNanos);
        }
    }

    /** One classified event: its top label and score; the id and text are for the live page's low-confidence list. */
    public void prediction(String id, String text, String label, double confidence) {
        LabelMeters m = labels.computeIfAbsent(label, l -> new LabelMeters(
                Counter.builder("clstream.predictions").description("Classified events, per top label")
                        .tag("label", l).register(registry),
                DistributionSummary.builder("clstream.prediction.confidence")
                        .description("Top label's probability, per top label").tag("label", l)
                        .serviceLevelObjectives(CONFIDENCE_BUCKETS).register(registry)));
        m.predictions().increment();
        m.confidence().record(confidence);
        if (live != null) {
            live.classified(id, text, label, confidence);
        }
    }

    public void truncated() {
        truncated.increment();
    }

    /**
     * One event written to its outputs: the time from its event time to the output. The latency is
     * skipped when the event claims a time later than now (a producer's clock).
     */
    public void endToEnd(long eventTimeMs, long outputTimeMs) {
        long ms = outputTimeMs - eventTimeMs;
        if (ms >= 0) {
            endToEnd.record(ms, TimeUnit.MILLISECONDS);
        }
        if (live != null) {
            live.processed(ms);
        }
    }

    private static Duration[] millis(double... values) {
        Duration[] out = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Duration.ofNanos(Math.round(values[i] * 1_000_000));
        }
        return out;
    }
}
