package dev.clstream.runtime;

import dev.clstream.inference.EncoderStalledException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a failure escapes the topology (a broker or registry outage, a stalled encoder;
 * bad records never get here, they are dead-lettered): the stream thread is replaced and resumes
 * from its last commit, after a backoff that doubles with each failure in a row (1 s up to 60 s,
 * back to 1 s after 5 quiet minutes), so that a lasting fault does not spin. Each replacement is
 * counted and told to the health checks, which report a crash loop as dead.
 */
final class ThreadFailures implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadFailures.class);
    private static final long FIRST_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 60_000;
    private static final long QUIET_MS = 300_000;

    private final RuntimeHealth health;
    private long backoffMs;
    private long lastFailureMs;

    ThreadFailures(RuntimeHealth health) {
        this.health = health;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable e) {
        long now = System.currentTimeMillis();
        long wait;
        synchronized (this) {
            backoffMs = nextBackoffMs(backoffMs, now - lastFailureMs);
            lastFailureMs = now;
            wait = backoffMs;
        }
        boolean encoder = causedBy(e, EncoderStalledException.class) || causedBy(e, IllegalStateException.class)
                && String.valueOf(rootMessage(e)).contains("inference engine is closed");
        health.threadFailed(now, rootMessage(e), encoder);
        LOG.error("stream thread failed; replacing it in {} ms and resuming from the last commit ({} replacements so "
                + "far)", wait, health.threadReplacements(), e);
        try {
            Thread.sleep(wait);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** The wait before the next replacement: 1 s after five quiet minutes, else twice the last one, at most 60 s. */
    static long nextBackoffMs(long lastBackoffMs, long msSinceLastFailure) {
        return msSinceLastFailure > QUIET_MS ? FIRST_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, lastBackoffMs * 2);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
