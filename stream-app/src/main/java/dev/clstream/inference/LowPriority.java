package dev.clstream.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the OS to run the calling thread at the lowest CPU priority (nice 19), so that the work it does takes only what
 * other threads leave. Java's own thread priorities are ignored on Linux, and Linux keeps a niceness per thread, so the
 * thread's id (from {@code /proc/thread-self}) is reniced with the system's {@code renice}. Where that is not possible
 * (not Linux, no {@code renice}) the thread keeps its priority, said once in the log.
 */
public final class LowPriority {
    private static final Logger LOG = LoggerFactory.getLogger(LowPriority.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private LowPriority() {}

    /** Lowers the calling thread's priority; false when it could not. */
    public static boolean lowerCurrentThread() {
        try {
            // /proc/thread-self links to /proc/<pid>/task/<tid>.
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            Process renice = new ProcessBuilder("renice", "-n", "19", "-p", tid).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (renice.waitFor(10, TimeUnit.SECONDS) && renice.exitValue() == 0) {
                return true;
            }
            renice.destroyForcibly();
            warn("renice exited with " + (renice.isAlive() ? "no answer" : renice.exitValue()));
        } catch (IOException | UnsupportedOperationException e) {
            warn(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private static void warn(String why) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("a background encoder thread keeps its normal CPU priority ({}); it competes with the serving "
                    + "model's runs on equal terms", why);
        }
    }
}
