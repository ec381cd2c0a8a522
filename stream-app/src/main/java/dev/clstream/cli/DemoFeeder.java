package dev.clstream.cli;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.event.InputEvent;
import dev.clstream.format.TextEventEncoder;
import dev.clstream.serde.SchemaRegistryClients;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The demo's traffic: the held-out messages, interleaved so that every stretch holds each class in
 * about its share ({@link #interleaved}), produced to the input topic in rounds on a thread of its
 * own. The pace is a rate that may change while it runs ({@link DemoPace}): events per second,
 * unpaced, or at most a window ahead of what has been answered.
 */
final class DemoFeeder implements AutoCloseable {
    /** A message of the demo data, with its true label when the data has one. */
    record Message(String id, String text, String label) {}

    private final ClstreamConfig config;
    private final List<Message> messages;
    private final long window;
    private volatile double rate;
    private volatile boolean rateChanged;
    private final Map<String, Message> byId = new ConcurrentHashMap<>();
    private final AtomicLong produced = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;
    /** When the next event is due at a fixed rate; the producer thread's own. */
    private long nextSendNanos = System.nanoTime();

    /**
     * @param rate events per second; infinite: unpaced; 0: paced by answers, at most {@code window} ahead
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

    /**
     * Feeds at this rate (events per second; see the constructor) once every event sent so far has
     * been answered: nothing queued before the change delays what is sent after it.
     */
    void rate(double eventsPerSecond) {
        rate = eventsPerSecond;
        rateChanged = true;
    }

    /**
     * The messages in a seeded order that spreads each label evenly: within a label the order is
     * shuffled, and the next message always comes from the label furthest behind its share, so that
     * any first n messages hold each label in its proportion (within one message).
     */
    static List<Message> interleaved(List<Message> messages, long seed) {
        Map<String, List<Message>> byLabel = new TreeMap<>();
        for (Message m : messages) {
            byLabel.computeIfAbsent(String.valueOf(m.label()), k -> new ArrayList<>()).add(m);
        }
        Random random = new Random(seed);
        List<List<Message>> groups = new ArrayList<>(byLabel.values());
        groups.forEach(g -> Collections.shuffle(g, random));
        int[] taken = new int[groups.size()];
        List<Message> out = new ArrayList<>(messages.size());
        while (out.size() < messages.size()) {
            int next = -1;
            double mostBehind = Double.NEGATIVE_INFINITY;
            for (int g = 0; g < groups.size(); g++) {
                if (taken[g] < groups.get(g).size()) {
                    double share = (double) groups.get(g).size() / messages.size();
                    double behind = share * (out.size() + 1) - taken[g];
                    if (behind > mostBehind) {
                        mostBehind = behind;
                        next = g;
                    }
                }
            }
            out.add(groups.get(next).get(taken[next]++));
        }
        return out;
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
                    produced.incrementAndGet();
                    pace();
                }
            }
        }
    }

    private void pace() {
        try {
            if (rate == 0) {
                while (produced.get() - answered.get() > window && !stopped && !rateChanged) {
                    Thread.sleep(5);
                }
            }
            if (rateChanged) {
                rateChanged = false;
                while (produced.get() > answered.get() && !stopped) {
                    Thread.sleep(5);
                }
                nextSendNanos = System.nanoTime();
            }
            double r = rate;
            if (r > 0 && r < Double.POSITIVE_INFINITY) {
                nextSendNanos += (long) (1e9 / r);
                long wait = nextSendNanos - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
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
