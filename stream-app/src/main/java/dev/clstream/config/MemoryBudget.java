package dev.clstream.config;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How much of the heap the app lets records take while they wait, derived at start-up from the
 * JVM's maximum heap, so that a backlog of large records (1 MiB each is allowed) cannot exhaust it:
 * Kafka's own defaults assume a large heap (Streams buffers up to 512 MiB of input, a consumer
 * fetches up to 50 MiB at once). A setting made explicitly wins. The sizing rule, per instance:
 * <ul>
 *   <li>input buffered by Streams, all threads: {@code input.buffer.max.bytes} = heap / 8;</li>
 *   <li>one fetch of each stream thread's consumer: {@code fetch.max.bytes} = heap / 16 (1 to 50 MiB);</li>
 *   <li>Streams' record cache: {@code statestore.cache.max.bytes} = heap / 32 (at most 10 MiB);</li>
 *   <li>events waiting in each task's micro-batch: {@code batch.max.bytes} = heap / 32 (at least 1 MiB),
 *       held twice (decoded, and in the store, or in the record cache above until the next commit);</li>
 *   <li>results of repeated texts: {@code inference.cache.max.bytes} = heap / 16, at most 64 MiB. An
 *       entry of a short text with a 384-wide h_0 is about 2 KB, so 64 MiB holds some 30,000 recent
 *       texts: a campaign's repeats over minutes at a few hundred events/s, for a few percent of a
 *       container's memory.</li>
 * </ul>
 * That is at most about 7/16 of the heap with one stream thread and two tasks: the rest is for the
 * app, Kafka's clients and the garbage collector (the model's weights live outside the heap).
 */
public record MemoryBudget(long inputBufferBytes, long fetchBytes, long cacheBytes, long pendingBytesPerTask,
                           long inferenceCacheBytes) {
    static final String INPUT_BUFFER_MAX_BYTES = "input.buffer.max.bytes";
    private static final long MIB = 1024 * 1024;

    /** The budget for a JVM whose heap may grow to {@code maxHeap} bytes. */
    public static MemoryBudget forHeap(long maxHeap) {
        return new MemoryBudget(maxHeap / 8, clamp(maxHeap / 16, MIB, 50 * MIB), Math.min(10 * MIB, maxHeap / 32),
                Math.max(MIB, maxHeap / 32), Math.min(64 * MIB, maxHeap / 16));
    }

    public static MemoryBudget forThisJvm() {
        return forHeap(Runtime.getRuntime().maxMemory());
    }

    /** Puts the Kafka settings of this budget into {@code streams}, where {@code passThrough} does not set them. */
    void applyTo(Properties streams, Map<String, String> passThrough) {
        putUnlessSet(streams, passThrough, INPUT_BUFFER_MAX_BYTES, inputBufferBytes);
        putUnlessSet(streams, passThrough, StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheBytes);
        if (!passThrough.containsKey(ConsumerConfig.FETCH_MAX_BYTES_CONFIG)) {
            putUnlessSet(streams, passThrough, StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG),
                    fetchBytes);
        }
    }

    private static void putUnlessSet(Properties streams, Map<String, String> passThrough, String key, long value) {
        if (!passThrough.containsKey(key)) {
            streams.put(key, Long.toString(value));
        }
    }

    private static long clamp(long v, long min, long max) {
        return Math.max(min, Math.min(max, v));
    }
}
