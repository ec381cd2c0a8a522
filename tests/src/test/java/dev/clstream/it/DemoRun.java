package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code clstream demo ARGS...} through the launcher, as the README runs it: each output stream read
 * line by line as it comes (echoed to the test log), and when the first labeled event came.
 */
final class DemoRun implements AutoCloseable {
    /** A labeled event as the demo prints it: agreement mark, label, score, id, text. */
    static final Pattern LABELED = Pattern.compile("^[✓✗ ] (spam|ham)\\s+\\d\\.\\d{3}\\s+\\S.*");
    /** A log line at WARN or ERROR (logback's pattern: time, level, thread, logger). */
    static final Pattern WARN_OR_ERROR = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (WARN|ERROR) .*");

    final long startNanos = System.nanoTime();
    final List<String> out = new CopyOnWriteArrayList<>();
    final List<String> err = new CopyOnWriteArrayList<>();
    private final Process process;
    private final Thread outReader;
    private final Thread errReader;
    private volatile long firstLabeledNanos;
    private volatile long startedNanos;

    DemoRun(List<String> args) {
        try {
            process = Launcher.builder(args).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        outReader = reader(process.getInputStream(), out, "demo> ");
        errReader = reader(process.getErrorStream(), err, "demo! ");
    }

    private Thread reader(InputStream stream, List<String> lines, String echo) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println(echo + line);
                    if (firstLabeledNanos == 0 && LABELED.matcher(line).matches()) {
                        firstLabeledNanos = System.nanoTime();
                    }
                    if (startedNanos == 0 && line.startsWith("clstream demo: model ")) {
                        startedNanos = System.nanoTime();
                    }
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "demo-output");
        t.start();
        return t;
    }

    /** Waits for the demo to end by itself; its exit status. */
    int awaitExit(long seconds) throws InterruptedException {
        assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), "demo did not finish in " + seconds + " s");
        outReader.join(5_000);
        errReader.join(5_000);
        return process.exitValue();
    }

    List<String> labeled() {
        return out.stream().filter(l -> LABELED.matcher(l).matches()).toList();
    }

    /** WARN and ERROR log lines, from either stream. */
    List<String> warningsAndErrors() {
        return java.util.stream.Stream.concat(out.stream(), err.stream())
                .filter(l -> WARN_OR_ERROR.matcher(l).matches()).toList();
    }

    /** Seconds from launching the process to the first labeled event, or infinity. */
    double secondsToFirstLabel() {
        return firstLabeledNanos == 0 ? Double.POSITIVE_INFINITY : (firstLabeledNanos - startNanos) / 1e9;
    }

    /**
     * Seconds from the demo's start line (broker up, model loaded and checked: the app is running) to the first
     * labeled event, or infinity: the pipeline's own part, whatever the JVM's start-up cost on a busy machine.
     */
    double secondsFromStartLineToFirstLabel() {
        return firstLabeledNanos == 0 || startedNanos == 0 ? Double.POSITIVE_INFINITY
                : (firstLabeledNanos - startedNanos) / 1e9;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
