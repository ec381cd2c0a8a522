package dev.clstream.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a window's encoder runs on runner threads and waits for them within a time limit. A run
 * that overstays is not stopped (a native call cannot be), but the caller gets its thread back, and
 * {@link #oldestRunNanos} tells health checks how long the oldest run has been in flight.
 */
final class RunExecutor implements AutoCloseable {
    private final ExecutorService runners;
    private final Map<Thread, Long> inFlight = new ConcurrentHashMap<>();

    /** @param lowPriority whether each runner thread first lowers its CPU priority ({@link LowPriority}) */
    RunExecutor(int threads, boolean lowPriority) {
        this.runners = Executors.newFixedThreadPool(threads, runnerThreads(lowPriority));
    }

    /**
     * Runs every task, waiting at most until {@code deadlineNanos} (a {@link System#nanoTime} value;
     * {@link Long#MAX_VALUE}: no limit). The first task's failure is thrown once all have ended.
     *
     * @throws EncoderStalledException when the limit passes first
     */
    void runAll(List<Runnable> tasks, long deadlineNanos) {
        List<Future<?>> running = new ArrayList<>(tasks.size());
        try {
            for (Runnable task : tasks) {
                running.add(runners.submit(() -> tracked(task)));
            }
        } catch (RejectedExecutionException e) {
            running.forEach(f -> f.cancel(true));
            throw new IllegalStateException("the inference engine is closing", e);
        }
        RuntimeException failure = null;
        for (Future<?> f : running) {
            try {
                if (deadlineNanos == Long.MAX_VALUE) {
                    f.get();
                } else {
                    f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re
                            : new InferenceException("encoder run failed: " + e.getCause(), e.getCause());
                }
            } catch (TimeoutException e) {
                running.forEach(r -> r.cancel(false));
                throw new EncoderStalledException("the encoder runs of a window of " + tasks.size()
                        + " did not finish within their time limit", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.forEach(r -> r.cancel(false));
                throw new EncoderStalledException("interrupted while waiting for the encoder", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void tracked(Runnable task) {
        inFlight.put(Thread.currentThread(), System.nanoTime());
        try {
            task.run();
        } finally {
            inFlight.remove(Thread.currentThread());
        }
    }

    /** How long the oldest run in flight has been running; 0 when none is. */
    long oldestRunNanos() {
        long now = System.nanoTime();
        return inFlight.values().stream().mapToLong(started -> now - started).max().orElse(0);
    }

    /** Stops taking runs and waits (up to {@code seconds}) for those in flight; true when none is left. */
    boolean shutdown(long seconds) throws InterruptedException {
        runners.shutdown();
        return runners.awaitTermination(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        runners.shutdownNow();
    }

    private static ThreadFactory runnerThreads(boolean lowPriority) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Runnable body = !lowPriority ? r : () -> {
                LowPriority.lowerCurrentThread();
                r.run();
            };
            Thread t = new Thread(body, "clstream-encoder-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
