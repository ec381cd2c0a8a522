package dev.clstream.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts a topic's records as a {@code read_committed} consumer sees them (what the app has committed), and their
 * distinct keys (an event's id), on its own thread; remembers when each count was reached: throughput is then read
 * between two counts, clear of start-up.
 */
final class CommittedCounter implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** (nanoTime, count) after each poll that brought records. */
    private final List<long[]> samples = new ArrayList<>();
    private final Set<String> keys = new HashSet<>();
    /** Per key, when a labeled event's output was made after its input record's timestamp (JSON labels only). */
    private final Map<String, Long> latencyMs = new HashMap<>();
    private final boolean latencies;
    private int count;
    private RuntimeException failure;

    CommittedCounter(String bootstrap, String topic) {
        this(bootstrap, topic, false);
    }

    /**
     * @param latencies whether to read each record's {@code processed_time} for {@link #latencyPercentileMs}: a JSON
     *        parse per record, in the bench's JVM beside the broker, so only where a bench reports latency
     */
    CommittedCounter(String bootstrap, String topic, boolean latencies) {
        this.latencies = latencies;
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.CLIENT_ID_CONFIG, "bench-counter-" + topic),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        thread = new Thread(this::countUntilClosed, "bench-counter-" + topic);
        thread.start();
    }

    private void countUntilClosed() {
        try {
            while (running.get()) {
                List<String> polled = new ArrayList<>();
                Map<String, Long> polledLatencies = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                    polled.add(key);
                    Long processed = latencies ? processedTime(r.value()) : null;
                    if (processed != null) {
                        polledLatencies.put(key, processed - r.timestamp());
                    }
                }
                if (!polled.isEmpty()) {
                    synchronized (this) {
                        count += polled.size();
                        keys.addAll(polled);
                        latencyMs.putAll(polledLatencies);
                        samples.add(new long[] {System.nanoTime(), count});
                        notifyAll();
                    }
                }
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                failure = e;
                notifyAll();
            }
        }
    }

    /** A JSON label's {@code processed_time}; null for another record. */
    private static Long processedTime(byte[] value) {
        try {
            JsonNode n = value == null ? null : JSON.readTree(value).get("processed_time");
            return n != null && n.canConvertToLong() ? n.asLong() : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * The {@code p}th percentile (0-100) of the latency of the events whose key starts with {@code keyPrefix}: from
     * the input record's timestamp (when it was produced) to the label's {@code processed_time}, in ms.
     */
    synchronized long latencyPercentileMs(String keyPrefix, double p) {
        long[] sorted = latencyMs.entrySet().stream().filter(e -> e.getKey().startsWith(keyPrefix))
                .mapToLong(Map.Entry::getValue).sorted().toArray();
        if (sorted.length == 0) {
            throw new IllegalStateException("no latencies of keys " + keyPrefix + "*");
        }
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100 * sorted.length) - 1))];
    }

    synchronized int count() {
        rethrow();
        return count;
    }

    /** Distinct keys among the records counted: equal to {@link #count()} when no event came out twice. */
    synchronized int distinctKeys() {
        rethrow();
        return keys.size();
    }

    /** Waits until at least {@code n} records are counted. */
    synchronized void await(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count < n) {
            rethrow();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("only " + count + " of " + n + " records after " + timeout);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Waits until the count has not changed for {@code quiet}: everything committed so far has been read. */
    synchronized int awaitQuiet(Duration quiet) throws InterruptedException {
        int seen;
        do {
            seen = count;
            wait(quiet.toMillis());
            rethrow();
        } while (count != seen);
        return count;
    }

    /** Seconds since {@code startNanos} (a {@link System#nanoTime()}) until the count first exceeded {@code n}. */
    synchronized double secondsUntilAbove(int n, long startNanos) {
        return (reached(n + 1) - startNanos) / 1e9;
    }

    /** Records per second between the moments the count first reached {@code from} and {@code to}. */
    synchronized double rate(int from, int to) {
        long nanos = reached(to) - reached(from);
        if (nanos <= 0) {
            throw new IllegalStateException("counts " + from + " and " + to + " came in one poll: run more events");
        }
        return (to - from) / (nanos / 1e9);
    }

    /** When the count first reached {@code n} (a {@link System#nanoTime()}). */
    synchronized long reached(int n) {
        for (long[] s : samples) {
            if (s[1] >= n) {
                return s[0];
            }
        }
        throw new IllegalStateException("the count never reached " + n + " (it is " + count + ")");
    }

    private void rethrow() {
        if (failure != null) {
            throw new IllegalStateException("the counting consumer failed", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
        consumer.close();
    }
}
