package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Produces records at a steady rate on its own thread, never pausing for what the test does to the app (kills,
 * restarts, scaling), until {@link #finish} and at least {@code minEvents} of them. Record {@code i} is what
 * {@code record} makes of it, so ids follow the index.
 */
final class SteadyProducer {
    private final String bootstrap;
    private final int minEvents;
    private final int eventsPerSecond;
    private final IntFunction<ProducerRecord<byte[], byte[]>> record;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean finishing;

    SteadyProducer(String bootstrap, int minEvents, int eventsPerSecond,
                   IntFunction<ProducerRecord<byte[], byte[]>> record) {
        this.bootstrap = bootstrap;
        this.minEvents = minEvents;
        this.eventsPerSecond = eventsPerSecond;
        this.record = record;
        this.thread = new Thread(this::run, "it-steady-producer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops producing once at least minEvents have gone out (at once, if that many already have). */
    void finish() {
        finishing = true;
    }

    private void run() {
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(bootstrap)) {
            long start = System.nanoTime();
            int i = 0;
            while ((!finishing || i < minEvents) && failure.get() == null) {
                long due = (System.nanoTime() - start) * eventsPerSecond / 1_000_000_000L + 1;
                if (finishing) {
                    due = Math.max(Math.min(due, minEvents), i);
                }
                for (; i < due; i++) {
                    producer.send(record.apply(i), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
                }
                producer.flush();
                sent.set(i);
                Thread.sleep(10);
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /** Records sent and acknowledged so far. */
    int sent() {
        check();
        return sent.get();
    }

    void await(long timeoutMs) throws InterruptedException {
        thread.join(timeoutMs);
        assertFalse(thread.isAlive(), "the producer is still running");
        check();
        assertTrue(sent.get() >= minEvents, "records produced: " + sent.get());
    }

    private void check() {
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("the producer failed: " + t, t);
        }
    }
}
