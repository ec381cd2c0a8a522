package dev.clstream.topology;

import dev.clstream.inference.Classification;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * One micro-batch's share of the label statistics, made in the batcher's task: per (label, window) the number of
 * events and the sum of their scores. The batcher forwards one record per pair when the micro-batch is out, in the
 * same transaction as its labels, instead of the labels being read back and repartitioned one record per event
 * ({@link LabelStatistics} adds the shares up after the repartition).
 */
final class LabelPartials {
    private final long windowMs;
    private final Map<Key, Share> shares = new LinkedHashMap<>();

    private record Key(String label, long windowStart) {}

    /** Count and score sum so far, and the newest event time: the record's timestamp, so it falls in its window. */
    private record Share(LabelWindowStats stats, long newest) {
        Share plus(Share other) {
            return new Share(stats.plus(other.stats), Math.max(newest, other.newest));
        }
    }

    LabelPartials(long windowMs) {
        this.windowMs = windowMs;
    }

    /**
     * Counts one labeled event at {@code time} (its event time, as the labels topic carries it); false when that is
     * before 1970, which no window holds.
     */
    boolean add(Classification c, long time) {
        if (time < 0) {
            return false;
        }
        shares.merge(new Key(c.label(), time - time % windowMs), new Share(new LabelWindowStats(1, c.score()), time),
                Share::plus);
        return true;
    }

    /** Forgets what was counted: a micro-batch that failed part way out comes back from the store, counted then. */
    void clear() {
        shares.clear();
    }

    /** Forwards one record per (label, window) counted since the last call, keyed by label, to {@code child}. */
    void forwardTo(ProcessorContext<Object, Object> context, String child) {
        shares.forEach((key, share) -> context.forward(new Record<>(key.label(), share.stats(), share.newest()),
                child));
        shares.clear();
    }
}
