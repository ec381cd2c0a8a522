package dev.clstream.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM and Ctrl-C for a command that runs the app: the JVM's shutdown hook only asks the command
 * to stop, then holds the JVM until the command has closed the runtime (Kafka Streams commits or
 * aborts, leaves its group, the encoder's runs end, native memory is freed), so that nothing runs in
 * native code when the process exits. Installed before the app starts, so a signal during start-up
 * (the model loading, its parity check) waits for it too.
 */
final class ShutdownSignal {
    /** Longer than any close: Streams' 30 s, then the encoder's 30 s. */
    static final long MAX_WAIT_SECONDS = 90;

    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);

    private ShutdownSignal() {}

    static ShutdownSignal install() {
        ShutdownSignal signal = new ShutdownSignal();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            signal.requested.countDown();
            try {
                signal.closed.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "clstream-shutdown"));
        return signal;
    }

    boolean requested() {
        return requested.getCount() == 0;
    }

    /** Blocks until a signal asks to stop. */
    void awaitRequest() throws InterruptedException {
        requested.await();
    }

    /** The command has closed everything: the JVM may exit. */
    void closed() {
        closed.countDown();
    }
}
