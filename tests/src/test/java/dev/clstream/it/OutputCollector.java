package dev.clstream.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics from the beginning with a {@code read_committed} consumer (no group: partitions are assigned) on a
 * background thread, keeping every record: what a downstream exactly-once consumer sees. Records of aborted
 * transactions are never seen.
 */
final class OutputCollector implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, List<ConsumerRecord<byte[], byte[]>>> records = new HashMap<>();
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;

    OutputCollector(String bootstrap, String... topics) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, "it-collector"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> tps = new ArrayList<>();
        for (String t : topics) {
            records.put(t, new ArrayList<>());
            for (PartitionInfo pi : partitions(t)) {
                tps.add(new TopicPartition(t, pi.partition()));
            }
        }
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        thread = new Thread(this::run, "it-collector-" + String.join(",", topics));
        thread.setDaemon(true);
        thread.start();
    }

    /** The topic's partitions; a topic created a moment ago may have no metadata yet, so this waits (up to 30 s). */
    private List<PartitionInfo> partitions(String topic) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<PartitionInfo> ps = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (ps != null && !ps.isEmpty()) {
                return ps;
            }
            if (System.nanoTime() > deadline) {
                consumer.close();
                throw new IllegalStateException("no partition metadata for topic " + topic + " after 30 s");
            }
            ItSupport.sleep(100);
        }
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    synchronized (this) {
                        records.get(r.topic()).add(r);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            consumer.close();
        }
    }

    private void check() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("the output consumer failed: " + t, t);
        }
    }

    /** How many committed records {@code topic} has shown so far. */
    synchronized int count(String topic) {
        check();
        return records.get(topic).size();
    }

    /** A copy of the records of {@code topic} seen so far, in arrival order. */
    synchronized List<ConsumerRecord<byte[], byte[]>> records(String topic) {
        check();
        return new ArrayList<>(records.get(topic));
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
