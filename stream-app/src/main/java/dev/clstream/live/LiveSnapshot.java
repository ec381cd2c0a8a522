package dev.clstream.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The JSON the live page polls ({@code /api/live}), read from a {@link LiveWindow} under its lock.
 * Series hold one value per complete second, oldest first, aligned with {@code seconds}; the
 * current second is left out, since it is still filling and would show as a dip. A percentile of a
 * second without samples is null (a gap in the chart, not a zero).
 */
final class LiveSnapshot {
    /** Seconds the headline rates average over: steady enough to read, recent enough to follow. */
    static final int RATE_SECONDS = 10;
    /** Seconds the headline percentiles and batch size are taken over. */
    static final int SUMMARY_SECONDS = 60;
    /** The recent events are records: their components, in snake case, are the fields. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private static final double[] QUANTILES = {0.5, 0.95, 0.99};
    private static final String[] QUANTILE_NAMES = {"p50", "p95", "p99"};

    private final LiveWindow w;
    private final long nowSecond;
    private final long first;

    LiveSnapshot(LiveWindow window, long nowSecond) {
        this.w = window;
        this.nowSecond = nowSecond;
        // From the window's start or the app's, whichever is later, so that a new app's chart starts at its start.
        this.first = Math.max(window.startSecond, nowSecond - LiveWindow.WINDOW_SECONDS);
    }

    ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("now_ms", nowSecond * 1000);
        root.put("window_seconds", LiveWindow.WINDOW_SECONDS);
        root.put("low_confidence_threshold", w.lowConfidenceThreshold);
        root.put("texts_shown", w.showTexts);
        root.putArray("labels").addAll(w.labels.stream().map(f::textNode).toList());
        root.put("model", w.model);
        root.set("model_swaps", JSON.valueToTree(w.modelSwaps.newestFirst()));
        root.set("shadow", shadow());

        ObjectNode totals = root.putObject("totals");
        totals.put("in", w.totalIn);
        totals.put("out", w.totalOut);
        totals.put("dead_letters", w.totalDeadLetters);

        ArrayNode seconds = root.putArray("seconds");
        for (long t = first; t < nowSecond; t++) {
            seconds.add(t);
        }
        root.set("in", counts(s -> s.in));
        root.set("out", counts(s -> s.out));
        root.set("dead_letters", counts(s -> s.deadLetters));
        ObjectNode byLabel = root.putObject("labels_per_second");
        for (int i = 0; i < w.labels.size(); i++) {
            int index = i;
            byLabel.set(w.labels.get(i), counts(s -> s.labels[index]));
        }
        ObjectNode batch = root.putObject("batch");
        batch.set("mean", measures(s -> s.batches == 0 ? Double.NaN : (double) s.batchEvents / s.batches));
        batch.set("max", measures(s -> s.batches == 0 ? Double.NaN : s.batchMax));
        ObjectNode latency = root.putObject("latency_ms");
        latency.set("end_to_end", percentileSeries(true));
        latency.set("inference", percentileSeries(false));

        root.set("summary", summary());
        root.set("low_confidence", JSON.valueToTree(w.lowConfidence.newestFirst()));
        root.set("recent_dead_letters", JSON.valueToTree(w.recentDeadLetters.newestFirst()));
        return root;
    }

    /** The shadow model's agreement with the serving one since it started; null when there is none. */
    private ObjectNode shadow() {
        if (w.shadowModel == null) {
            return null;
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("model", w.shadowModel);
        long compared = 0;
        long agreed = 0;
        for (Map.Entry<String, Map<String, Long>> row : w.shadowConfusion.entrySet()) {
            for (Map.Entry<String, Long> cell : row.getValue().entrySet()) {
                compared += cell.getValue();
                agreed += cell.getKey().equals(row.getKey()) ? cell.getValue() : 0;
            }
        }
        out.put("compared", compared);
        out.put("agreed", agreed);
        out.put("skipped", w.shadowSkipped);
        out.set("confusion", JSON.valueToTree(w.shadowConfusion));
        return out;
    }

    private ObjectNode summary() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        long rateFrom = Math.max(first, nowSecond - RATE_SECONDS);
        long rateSeconds = nowSecond - rateFrom;
        long in = 0;
        long done = 0;
        for (long t = rateFrom; t < nowSecond; t++) {
            Second s = w.at(t);
            if (s != null) {
                in += s.in;
                done += s.out;
            }
        }
        out.put("rate_seconds", rateSeconds);
        putNumber(out, "in_per_second", rateSeconds == 0 ? Double.NaN : (double) in / rateSeconds);
        putNumber(out, "out_per_second", rateSeconds == 0 ? Double.NaN : (double) done / rateSeconds);

        long from = Math.max(first, nowSecond - SUMMARY_SECONDS);
        LatencyHistogram endToEnd = new LatencyHistogram();
        LatencyHistogram inference = new LatencyHistogram();
        long batches = 0;
        long batchEvents = 0;
        for (long t = from; t < nowSecond; t++) {
            Second s = w.at(t);
            if (s != null) {
                s.endToEnd.addTo(endToEnd);
                s.inference.addTo(inference);
                batches += s.batches;
                batchEvents += s.batchEvents;
            }
        }
        out.put("summary_seconds", nowSecond - from);
        out.set("end_to_end_ms", quantiles(endToEnd));
        out.set("inference_ms", quantiles(inference));
        putNumber(out, "batch_mean", batches == 0 ? Double.NaN : (double) batchEvents / batches);

        // Whole-window totals: the label mix and the dead letters by reason, over every second shown.
        ObjectNode labelTotals = out.putObject("labels");
        long[] perLabel = new long[w.labels.size()];
        Map<String, Long> reasons = new TreeMap<>();
        for (long t = first; t < nowSecond; t++) {
            Second s = w.at(t);
            if (s != null) {
                for (int i = 0; i < perLabel.length; i++) {
                    perLabel[i] += s.labels[i];
                }
                s.deadLettersByReason.forEach((r, n) -> reasons.merge(r, n, Long::sum));
            }
        }
        for (int i = 0; i < perLabel.length; i++) {
            labelTotals.put(w.labels.get(i), perLabel[i]);
        }
        ObjectNode reasonTotals = out.putObject("dead_letters_by_reason");
        reasons.forEach(reasonTotals::put);
        return out;
    }

    /** A count per second: 0 for a second nothing was recorded in. */
    private ArrayNode counts(ToDoubleFunction<Second> value) {
        return series(value, 0);
    }

    /** A measurement per second (NaN where there was none): null for a second nothing was recorded in. */
    private ArrayNode measures(ToDoubleFunction<Second> value) {
        return series(value, Double.NaN);
    }

    private ArrayNode series(ToDoubleFunction<Second> value, double missing) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (long t = first; t < nowSecond; t++) {
            Second s = w.at(t);
            double v = s == null ? missing : value.applyAsDouble(s);
            if (Double.isNaN(v)) {
                out.addNull();
            } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                out.add((long) v); // counts as 3, not 3.0: a third shorter for the page to fetch every second
            } else {
                out.add(v);
            }
        }
        return out;
    }

    private ObjectNode percentileSeries(boolean endToEnd) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (int q = 0; q < QUANTILES.length; q++) {
            double quantile = QUANTILES[q];
            out.set(QUANTILE_NAMES[q], measures(s -> (endToEnd ? s.endToEnd : s.inference).quantile(quantile)));
        }
        return out;
    }

    private static ObjectNode quantiles(LatencyHistogram h) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("count", h.count());
        for (int q = 0; q < QUANTILES.length; q++) {
            putNumber(out, QUANTILE_NAMES[q], h.quantile(QUANTILES[q]));
        }
        return out;
    }

    private static void putNumber(ObjectNode node, String field, double v) {
        if (Double.isNaN(v)) {
            node.putNull(field);
        } else {
            node.put(field, v);
        }
    }
}
