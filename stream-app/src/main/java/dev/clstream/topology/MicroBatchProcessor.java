package dev.clstream.topology;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.config.MicroBatchSettings;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Outcome;
import dev.clstream.inference.Predictions;
import dev.clstream.inference.ServingEngine;
import dev.clstream.tokenize.InvalidTextException;
import dev.clstream.tokenize.TokenizedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects decoded events into micro-batches and sends each batch through the encoder when it
 * holds {@code batch.max.size} events, {@code batch.max.tokens} real tokens, {@code batch.max.bytes} bytes of
 * records, or when its oldest event
 * has waited {@code batch.max.wait.ms} (wall clock, checked by a punctuator).
 *
 * <p><b>Why nothing waiting in a batch is lost or duplicated.</b> Every event is written to a
 * changelogged state store the moment it joins a batch, and removed from it in the same step that
 * forwards its outputs. Kafka Streams commits the input offsets, the store's changelog and the
 * outputs together: under {@code exactly_once_v2} in one transaction. So at any commit, an input
 * offset counts as consumed only if its event is either in the committed store (still waiting) or
 * its outputs are in the committed transaction. A crash or rebalance before a commit aborts the
 * transaction and the input is read again; after a commit, the waiting events come back from the
 * changelog and are flushed by the next punctuation. The in-memory copy ({@code waiting}) is only
 * a cache of the store plus the tokenisation, rebuilt in {@link #init}.
 *
 * <p><b>Model versions.</b> The task holds a lease on one engine ({@link ServingEngine}) and moves to a newer version
 * only between micro-batches (at the next record or punctuation), tokenising what waits again with the new version's
 * tokenizer; so every micro-batch is computed by one version, which its outputs name, and a version swapped out is
 * freed once no task holds it.
 */
final class MicroBatchProcessor implements Processor<byte[], PendingEvent, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatchProcessor.class);
    /** Weight of the latest flush in the cost per token. */
    private static final double COST_WEIGHT = 0.3;

    private final ServingEngine serving;
    private final EventReader reader;
    private final MicroBatchSettings limits;
    private final OutputWriter outputs;
    private final String storeName;
    private final PipelineListener listener;
    /** This task's counts per label and window in the micro-batch going out; null without label statistics. */
    private final LabelPartials labelShares;

    private ProcessorContext<Object, Object> context;
    private ServingEngine.Lease lease;
    private Cancellable punctuator;
    private KeyValueStore<Long, StoredEvent> store;
    private final TreeMap<Long, Waiting> waiting = new TreeMap<>();
    private long nextSequence;
    private long waitingTokens;
    private long waitingBytes;
    /** The encoder's measured cost per real token, a moving average over flushes, from the probe's at first. */
    private double nanosPerToken;

    private record Waiting(PendingEvent event, TokenizedText tokens) {}

    MicroBatchProcessor(ServingEngine serving, EventReader reader, MicroBatchSettings limits, OutputWriter outputs,
                        String storeName, boolean labelStatistics, PipelineListener listener) {
        this.serving = serving;
        this.reader = reader;
        this.limits = limits;
        this.outputs = outputs;
        this.storeName = storeName;
        this.listener = listener;
        this.labelShares = labelStatistics ? new LabelPartials(LabelStatistics.WINDOW.toMillis()) : null;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        close(); // what an earlier init of this instance held, if Streams ever initialises it again
        takeLease();
        // The store is the truth; whatever this instance held before (if Streams ever re-initialises it) is stale.
        waiting.clear();
        waitingTokens = 0;
        waitingBytes = 0;
        nextSequence = 0;
        if (labelShares != null) {
            labelShares.clear(); // counts of a micro-batch whose transaction was aborted: its events are restored
        }
        // Events left waiting by a previous instance of this task (crash, rebalance, restart).
        List<KeyValue<Long, StoredEvent>> restored = new ArrayList<>();
        try (KeyValueIterator<Long, StoredEvent> it = store.all()) {
            it.forEachRemaining(restored::add);
        }
        for (KeyValue<Long, StoredEvent> kv : restored) {
            nextSequence = Math.max(nextSequence, kv.key + 1);
            restore(kv.key, kv.value);
        }
        if (!restored.isEmpty()) {
            LOG.info("task {}: {} events were waiting in the micro-batch store ({}); they go out first",
                    context.taskId(), restored.size(), storeName);
        }
        long tick = Math.max(1, Math.min(limits.maxWaitMs() / 2, 1000));
        punctuator = context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME,
                this::flushIfOldestExpired);
    }

    /**
     * Reads a restored entry's event from its source record, as the decoder did the first time (the
     * store keeps the record once, not the event as well); a record that now reads otherwise is
     * dead-lettered as it would have been then.
     */
    private void restore(long sequence, StoredEvent stored) {
        EventReader.Read read = reader.read(stored.source());
        if (read.refused() != null) {
            outputs.deadLetter(context, stored.source(), read.refused(), read.message(), lease.engine().manifest());
            store.delete(sequence);
            return;
        }
        admit(sequence, new PendingEvent(stored.source(), read.event(), stored.arrivalMs()));
    }

    @Override
    public void process(Record<byte[], PendingEvent> record) {
        followServingVersion();
        long sequence = nextSequence++;
        PendingEvent event = record.value();
        store.put(sequence, new StoredEvent(event.source(), event.arrivalMs()));
        if (admit(sequence, event) && (waiting.size() >= limits.maxEvents()
                || waitingTokens >= limits.maxTokens() || waitingBytes >= limits.maxBytes())) {
            flush();
        }
    }

    /** Tokenises and queues one stored event; a text with nothing to classify is dead-lettered at once. */
    private boolean admit(long sequence, PendingEvent event) {
        try {
            long start = System.nanoTime();
            TokenizedText tokens = lease.engine().tokenize(event.event().text());
            listener.tokenized(System.nanoTime() - start);
            waiting.put(sequence, new Waiting(event, tokens));
            waitingTokens += tokens.length();
            waitingBytes += bytes(event);
            return true;
        } catch (InvalidTextException e) {
            outputs.deadLetter(context, event.source(), e.reason(), e.getMessage(), lease.engine().manifest());
            store.delete(sequence);
            return false;
        }
    }

    /**
     * Between micro-batches: takes up a newer model version if one serves, tokenising what waits again with its
     * tokenizer (a text it refuses is dead-lettered, as at admission), then gives the old version back.
     */
    private void followServingVersion() {
        if (!lease.outdated()) {
            return;
        }
        ServingEngine.Lease old = lease;
        takeLease();
        List<Map.Entry<Long, Waiting>> again = new ArrayList<>(waiting.entrySet());
        waiting.clear();
        waitingTokens = 0;
        waitingBytes = 0;
        for (Map.Entry<Long, Waiting> e : again) {
            admit(e.getKey(), e.getValue().event());
        }
        LOG.info("task {}: {} serves from here on (was {}); {} waiting events tokenised again", context.taskId(),
                lease.engine().manifest().id(), old.engine().manifest().id(), again.size());
        old.close();
    }

    /** Holds the engine serving now; its cost per token starts from its probe's. */
    private void takeLease() {
        lease = serving.lease();
        nanosPerToken = lease.engine().probeNanosPerToken();
    }

    private void flushIfOldestExpired(long now) {
        followServingVersion();
        if (!waiting.isEmpty() && now - waiting.firstEntry().getValue().event().arrivalMs() >= limits.maxWaitMs()) {
            flush();
        }
    }

    /**
     * Sends the oldest waiting events through the encoder: as many as its measured cost per token lets
     * finish within {@code batch.max.inference.ms} (at least one; the first flush, with nothing measured
     * yet, takes one), because the flush runs inside the open transaction. Texts the engine's cache
     * answers cost nothing here, and the cost per token is measured on the tokens the encoder ran. What
     * is left waits for the next record or punctuation, so Streams can commit in between.
     */
    private void flush() {
        InferenceEngine engine = lease.engine();
        BundleManifest model = engine.manifest();
        List<Map.Entry<Long, Waiting>> batch = new ArrayList<>();
        long tokens = 0;
        long encoderTokens = 0;
        for (Map.Entry<Long, Waiting> e : waiting.entrySet()) {
            TokenizedText text = e.getValue().tokens();
            // A text the engine's cache answers costs the encoder nothing: only the others count against the budget.
            int cost = engine.cached(text) ? 0 : text.length();
            if (!batch.isEmpty() && (encoderTokens + cost) * nanosPerToken > limits.maxInferenceMs() * 1e6) {
                break;
            }
            batch.add(e);
            tokens += text.length();
            encoderTokens += cost;
        }
        List<TokenizedText> texts = batch.stream().map(e -> e.getValue().tokens()).toList();
        long start = System.nanoTime();
        Predictions predictions = engine.predictIsolating(texts, start + limits.hardLimitMs() * 1_000_000);
        long nanos = System.nanoTime() - start;
        long encoded = predictions.encodedTokens();
        if (encoded > 0) {
            // No estimate yet (the probe could not be timed at open): the first window's cost is the estimate.
            nanosPerToken = Double.isNaN(nanosPerToken) ? (double) nanos / encoded
                    : COST_WEIGHT * nanos / encoded + (1 - COST_WEIGHT) * nanosPerToken;
        }
        listener.microBatch(texts.size(), tokens, predictions.paddedTokens(), nanos);
        if (predictions.retries() > 0) {
            listener.inferenceRetried(predictions.retries());
        }
        List<Outcome> outcomes = predictions.outcomes();
        for (int i = 0; i < batch.size(); i++) {
            PendingEvent event = batch.get(i).getValue().event();
            if (outcomes.get(i) instanceof Outcome.Success s) {
                if (outputs.success(context, event, s.prediction(), model) && labelShares != null
                        && !labelShares.add(s.prediction().classification(), event.time())) {
                    listener.labelStatsSkipped(LabelStatistics.SKIPPED_NO_TIME);
                }
            } else if (outcomes.get(i) instanceof Outcome.Failure f) {
                outputs.deadLetter(context, event.source(), f.reason(), f.message(), model);
            }
            store.delete(batch.get(i).getKey());
            waiting.remove(batch.get(i).getKey());
            waitingBytes -= bytes(event);
        }
        waitingTokens -= tokens;
        if (labelShares != null) {
            // One record per label and window for the whole micro-batch, in the transaction of its labels.
            labelShares.forwardTo(context, LabelStatistics.PARTIALS);
        }
    }

    /** What a waiting event holds in memory: its source record, and its text decoded (two bytes a char at most). */
    private static long bytes(PendingEvent event) {
        return PendingEventCodec.encodedSize(event.source()) + 2L * event.event().text().length();
    }

    /** Stops the punctuation and gives the engine back: a version swapped out is freed once no task holds it. */
    @Override
    public void close() {
        if (punctuator != null) {
            punctuator.cancel();
            punctuator = null;
        }
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }
}
