package dev.clstream.metrics;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.event.DeadLetterReason;
import dev.clstream.topology.PipelineListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;

/**
 * The facts the topology tells about its work ({@link PipelineListener}), as Micrometer meters named
 * for Prometheus ({@code clstream.events.in} is scraped as {@code clstream_events_in_total}, timers
 * in seconds). Meters with a tag (reason, label, output) are looked up once and kept, since the
 * registry's own lookup costs a map search and an id allocation on every call.
 */
public final class ClstreamMetrics implements PipelineListener {

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
    private final Counter eventsIn;
    private final Counter truncated;
    private final Counter inferenceRetries;
    private final Counter labelsCommitted;
    private final DistributionSummary batchSize;
    private final DistributionSummary batchTokens;
    private final DistributionSummary paddingRatio;
    private final Timer tokenize;
    private final Timer inference;
    private final Timer endToEnd;
    private final Map<Output, Counter> eventsOut = new ConcurrentHashMap<>();
    private final Map<String, Counter> statsSkipped = new ConcurrentHashMap<>();
    private final Map<DeadLetterReason, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<String, LabelMeters> labels = new ConcurrentHashMap<>();
    /** The id (name@version) of the model serving. */
    private final AtomicReference<String> serving = new AtomicReference<>();

    private record LabelMeters(Counter predictions, DistributionSummary confidence) {}

    public ClstreamMetrics(MeterRegistry registry) {
        this.registry = registry;
        eventsIn = Counter.builder("clstream.events.in").description("Input records read, good or bad")
                .register(registry);
        truncated = Counter.builder("clstream.truncated").description("Texts cut at the bundle's max length")
                .register(registry);
        labelsCommitted = Counter.builder("clstream.labels.committed")
                .description("Labeled events committed, as the label statistics count them after their repartition "
                        + "(with label statistics on)")
                .register(registry);
        inferenceRetries = Counter.builder("clstream.inference.retries")
                .description("Encoder runs retried after a failure, before any text is dead-lettered").register(registry);
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

    /**
     * {@code clstream_model_info{model, version}}: 1 for the version serving, 0 for those served before it (joins any
     * series to the model that produced it); a change of version counts as a reload that swapped.
     */
    @Override
    public void modelServed(BundleManifest model) {
        String before = serving.getAndSet(model.id());
        if (before != null && !before.equals(model.id())) {
            reloads("swapped").increment();
        }
        String id = model.id();
        Gauge.builder("clstream.model.info", serving, s -> id.equals(s.get()) ? 1 : 0)
                .description("The model bundle being served (1) and those served before it (0)")
                .tag("model", model.name()).tag("version", model.version()).register(registry);
    }

    @Override
    public void modelRefused(String version, String reason) {
        reloads("refused").increment();
    }

    private Counter reloads(String result) {
        return Counter.builder("clstream.model.reloads").description("New model versions taken up (swapped) or "
                + "refused by their checks, per result").tag("result", result).register(registry);
    }

    /**
     * {@code clstream_shadow_predictions_total{model, primary, shadow, agree}}: sampled events per the serving model's
     * top label and the shadow's ({@code (none)} when it could not classify the text); the agreement rate is the
     * {@code agree="true"} share.
     */
    @Override
    public void shadowCompared(String shadowModel, String primaryLabel, String shadowLabel) {
        String shadow = shadowLabel == null ? NO_LABEL : shadowLabel;
        Counter.builder("clstream.shadow.predictions").description("Sampled events the shadow model classified, by "
                        + "the serving model's top label and its own, and whether they agree")
                .tag("model", shadowModel).tag("primary", primaryLabel).tag("shadow", shadow)
                .tag("agree", String.valueOf(shadow.equals(primaryLabel))).register(registry).increment();
    }

    @Override
    public void shadowSkipped() {
        Counter.builder("clstream.shadow.skipped").description("Sampled events the shadow model had no room for "
                + "(it was behind), left out of its figures").register(registry).increment();
    }

    @Override
    public void eventIn() {
        eventsIn.increment();
    }

    @Override
    public void eventOut(Output output) {
        eventsOut.computeIfAbsent(output, o -> Counter.builder("clstream.events.out")
                .description("Records written, per output").tag("output", o.code()).register(registry)).increment();
    }

    @Override
    public void deadLetter(DeadLetterReason reason, String message, String source) {
        deadLetters.computeIfAbsent(reason, r -> Counter.builder("clstream.dead.letters")
                .description("Dead letters written, per reason code").tag("reason", r.code()).register(registry))
                .increment();
        eventOut(Output.DEAD_LETTERS);
    }

    @Override
    public void tokenized(long nanos) {
        tokenize.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void microBatch(int events, long tokens, long paddedTokens, long inferenceNanos) {
        batchSize.record(events);
        batchTokens.record(tokens);
        if (paddedTokens > 0) {
            paddingRatio.record(1.0 - (double) tokens / paddedTokens);
        }
        inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void inferenceRetried(int retries) {
        inferenceRetries.increment(retries);
    }

    @Override
    public void labelsCommitted(long count) {
        labelsCommitted.increment(count);
    }

    @Override
    public void labelStatsSkipped(String why) {
        statsSkipped.computeIfAbsent(why, w -> Counter.builder("clstream.label.stats.skipped")
                .description("Labeled events left out of the label statistics, per reason")
                .tag("reason", w).register(registry)).increment();
    }

    @Override
    public void classified(String model, String id, String text, String label, double confidence) {
        LabelMeters m = labels.computeIfAbsent(label, l -> new LabelMeters(
                Counter.builder("clstream.predictions").description("Classified events, per top label")
                        .tag("label", l).register(registry),
                DistributionSummary.builder("clstream.prediction.confidence")
                        .description("Top label's probability, per top label").tag("label", l)
                        .serviceLevelObjectives(CONFIDENCE_BUCKETS).register(registry)));
        m.predictions().increment();
        m.confidence().record(confidence);
    }

    @Override
    public void truncated() {
        truncated.increment();
    }

    /** The latency is skipped when the event claims a time later than now (a producer's clock). */
    @Override
    public void processed(long eventTimeMs, long outputTimeMs) {
        long ms = outputTimeMs - eventTimeMs;
        if (ms >= 0) {
            endToEnd.record(ms, TimeUnit.MILLISECONDS);
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
