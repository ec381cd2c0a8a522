package dev.clstream.cli;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.event.InputEvent;
import dev.clstream.format.TextEventEncoder;
import dev.clstream.serde.SchemaRegistryClients;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The demo's traffic: the held-out messages produced to the input topic in rounds, on a thread of
 * its own, either at a fixed rate or at most a window ahead of what has been answered, so that the
 * demo shows the pipeline's real throughput and latency rather than a growing backlog.
 */
final class DemoFeeder implements AutoCloseable {
    /** A message of the demo data, with its true label when the data has one. */
    record Message(String id, String text, String label) {}

    private final ClstreamConfig config;
    private final List<Message> messages;
    private final double rate;
    private final long window;
    private final Map<String, Message> byId = new ConcurrentHashMap<>();
    private final AtomicLong produced = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;

    /**
     * @param rate events per second; 0 or less: paced by answers, at most {@code window} ahead
     */
    DemoFeeder(ClstreamConfig config, List<Message> messages, double rate, long window) {
        this.config = config;
        this.messages = List.copyOf(messages);
        this.rate = rate;
        this.window = window;
        this.thread = new Thread(this::produce, "demo-producer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    long produced() {
        return produced.get();
    }

    /** How many events have come back (labeled or dead-lettered): the pacing reads it. */
    void answered(long count) {
        answered.set(count);
    }

    /** The demo message an output's id names ({@code id} or {@code id#round}), or null. */
    Message message(String outputId) {
        int hash = outputId.indexOf('#');
        return byId.get(hash < 0 ? outputId : outputId.substring(0, hash));
    }

    private void produce() {
        TextEventEncoder encoder = config.inputFormat().encoder(config.inputFormat().needsRegistry()
                ? SchemaRegistryClients.create(config.registry()) : null, config.registry().autoRegister());
        Properties p = config.producerProperties();
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        String topic = config.inputTopic();
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            // The held-out set is replayed in rounds; ids get a round suffix so every event stays unique.
            for (int round = 0; !stopped; round++) {
                for (Message m : messages) {
                    if (stopped) {
                        return;
                    }
                    byId.putIfAbsent(m.id(), m);
                    String id = round == 0 ? m.id() : m.id() + "#" + round;
                    InputEvent event = new InputEvent(id, m.text(), System.currentTimeMillis(), Map.of());
                    producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
                            encoder.encode(topic, event)));
                    pace(start, produced.incrementAndGet());
                }
            }
        }
    }

    private void pace(long startNanos, long sent) {
        try {
            if (rate > 0) {
                long wait = startNanos + (long) (sent / rate * 1e9) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                return;
            }
            while (sent - answered.get() > window && !stopped) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }

    /** Stops producing; the thread ends after the record it is sending. */
    @Override
    public void close() {
        stopped = true;
    }
}
