package dev.clstream.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.event.TextPreview;
import dev.clstream.secrets.Secrets;
import dev.clstream.topology.PipelineListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The last few minutes of the pipeline, second by second, for the live page: events in and out,
 * top labels, end-to-end and inference latency, batch sizes and dead letters, plus the latest
 * low-confidence events and dead letters. Memory is fixed: a ring of one slot per second of the
 * window (about 0.5 MiB with their latency histograms) and two rings of {@link #RECENT} events.
 *
 * <p>The stream threads record into it and the HTTP endpoint reads it, under one lock. A record
 * call is a few increments (text previews are cut before the lock is taken), so the lock is held
 * for nanoseconds; a snapshot walks the ring once, about once a second per open page.
 */
public final class LiveWindow {
    public static final int WINDOW_SECONDS = 300;
    public static final int RECENT = 20;
    /** Characters of an event's text or a dead letter's message kept for the page. */
    public static final int PREVIEW_CHARS = 200;

    record LowConfidence(long timeMs, String id, String label, double score, String text) {}

    record DeadLetterSeen(long timeMs, String reason, String stage, String message, String source) {}

    /** A new model version taking over: the page marks it on its time axis. */
    record ModelSwap(long timeMs, String model) {}

    final List<String> labels;
    private final Map<String, Integer> labelIndex = new HashMap<>();
    final double lowConfidenceThreshold;
    /** Whether event texts and dead letters' messages are kept for the page (live.show.texts). */
    final boolean showTexts;
    private final LongSupplier clockMs;
    final long startSecond;
    /** One slot more than the window: the current second fills while the window's seconds stay whole. */
    final Second[] ring = new Second[WINDOW_SECONDS + 1];
    final RecentEvents<LowConfidence> lowConfidence = new RecentEvents<>(RECENT);
    final RecentEvents<DeadLetterSeen> recentDeadLetters = new RecentEvents<>(RECENT);
    final RecentEvents<ModelSwap> modelSwaps = new RecentEvents<>(RECENT);
    /** The model serving, name@version; null until the topology is built. */
    String model;
    /**
     * The shadow model (null: none yet) and how its labels compare with the serving model's since it started:
     * serving label -> shadow label ("(none)": it could not classify) -> events. Not windowed: agreement is read
     * over many events.
     */
    String shadowModel;
    final Map<String, Map<String, Long>> shadowConfusion = new TreeMap<>();
    long shadowSkipped;
    long totalIn;
    long totalOut;
    long totalDeadLetters;

    /**
     * @param labels the model's labels, in its order; top labels outside them are not counted per label
     * @param showTexts whether to keep previews of event texts and dead letters' messages; without, the page lists
     *        ids, labels and reasons only
     */
    public LiveWindow(List<String> labels, double lowConfidenceThreshold, boolean showTexts) {
        this(labels, lowConfidenceThreshold, showTexts, System::currentTimeMillis);
    }

    LiveWindow(List<String> labels, double lowConfidenceThreshold, boolean showTexts, LongSupplier clockMs) {
        this.labels = List.copyOf(labels);
        this.showTexts = showTexts;
        for (int i = 0; i < this.labels.size(); i++) {
            labelIndex.put(this.labels.get(i), i);
        }
        this.lowConfidenceThreshold = lowConfidenceThreshold;
        this.clockMs = clockMs;
        this.startSecond = Math.floorDiv(clockMs.getAsLong(), 1000);
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new Second(this.labels.size());
        }
    }

    public synchronized void eventIn() {
        now().in++;
        totalIn++;
    }

    /** One event written to its outputs, {@code latencyMs} after its event time (negative: unknown, not recorded). */
    public synchronized void processed(long latencyMs) {
        Second s = now();
        s.out++;
        totalOut++;
        if (latencyMs >= 0) {
            s.endToEnd.record(latencyMs);
        }
    }

    /** One event's top label; kept among the recent low-confidence events when its score is under the threshold. */
    public void classified(String id, String text, String label, double score) {
        LowConfidence low = score < lowConfidenceThreshold
                ? new LowConfidence(clockMs.getAsLong(), id, label, score, showTexts ? preview(text) : null) : null;
        Integer index = labelIndex.get(label);
        synchronized (this) {
            if (index != null) {
                now().labels[index]++;
            }
            if (low != null) {
                lowConfidence.add(low);
            }
        }
    }

    public synchronized void batch(int events, long inferenceNanos) {
        Second s = now();
        s.batches++;
        s.batchEvents += events;
        s.batchMax = Math.max(s.batchMax, events);
        s.inference.record(inferenceNanos / 1e6);
    }

    /** One record dead-lettered; it counts as out, since it has left the pipeline. */
    public void deadLetter(String reason, String stage, String message, String source) {
        DeadLetterSeen seen = new DeadLetterSeen(clockMs.getAsLong(), reason, stage, showTexts ? preview(message) : null,
                source);
        synchronized (this) {
            Second s = now();
            s.out++;
            s.deadLetters++;
            s.deadLettersByReason.merge(reason, 1L, Long::sum);
            totalOut++;
            totalDeadLetters++;
            recentDeadLetters.add(seen);
        }
    }

    /** The model serving now ({@code name@version}); a change from the one before is a swap, kept with its time. */
    public synchronized void modelServed(String id) {
        if (model != null && !model.equals(id)) {
            modelSwaps.add(new ModelSwap(clockMs.getAsLong(), id));
        }
        model = id;
    }

    /** A sampled event the shadow model classified; a new shadow version starts its figures again. */
    public synchronized void shadowCompared(String shadow, String primaryLabel, String shadowLabel) {
        if (!shadow.equals(shadowModel)) {
            shadowModel = shadow;
            shadowConfusion.clear();
        }
        shadowConfusion.computeIfAbsent(primaryLabel, k -> new TreeMap<>())
                .merge(shadowLabel == null ? PipelineListener.NO_LABEL : shadowLabel, 1L, Long::sum);
    }

    public synchronized void shadowSkipped() {
        shadowSkipped++;
    }

    /** The window as the live page reads it (see {@link LiveSnapshot}). */
    public synchronized ObjectNode snapshot() {
        return new LiveSnapshot(this, Math.floorDiv(clockMs.getAsLong(), 1000)).toJson();
    }

    /** The slot of the current second, cleared first when it last held an older second. */
    private Second now() {
        long second = Math.floorDiv(clockMs.getAsLong(), 1000);
        Second s = ring[(int) Math.floorMod(second, (long) ring.length)];
        if (s.epochSecond != second) {
            s.reset(second);
        }
        return s;
    }

    /** The slot that holds {@code second}, or null when the ring no longer (or never) held it. */
    Second at(long second) {
        Second s = ring[(int) Math.floorMod(second, (long) ring.length)];
        return s.epochSecond == second ? s : null;
    }

    /** The start of a text or message on one line, secrets masked (a dead letter's message may quote a setting). */
    static String preview(String text) {
        return Secrets.mask(TextPreview.oneLine(text, PREVIEW_CHARS));
    }
}
