package dev.clstream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code clstream run} as a child JVM, the way a deployment runs it: its own process and heap, against a broker in
 * another process, optionally pinned to CPU cores with {@code taskset} (the JVM, and so the app's defaults, then see
 * only those cores). Its output goes to a log file; its CPU time comes from {@code /proc}.
 */
final class AppProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path log;
    private final int httpPort;
    private final long startedNanos;
    private final Thread killOnExit;

    private AppProcess(Process process, Path log, int httpPort, long startedNanos) {
        this.process = process;
        // A bench stopped with Ctrl-C takes its instances with it (they would go on reading the input).
        this.killOnExit = new Thread(process::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(killOnExit);
        this.log = log;
        this.httpPort = httpPort;
        this.startedNanos = startedNanos;
    }

    /**
     * Starts {@code clstream run --bundle BUNDLE --bootstrap-servers BOOTSTRAP} with {@code settings} as {@code --set}
     * flags, on the cores {@code cpus} ({@code taskset -c} syntax) or on any when null.
     */
    static AppProcess start(Path log, String cpus, Path bundle, String bootstrap, Map<String, String> settings) {
        return start(log, cpus, List.of(), bundle, bootstrap, settings);
    }

    /** {@link #start(Path, String, Path, String, Map)} with more JVM flags, e.g. a flight recording. */
    static AppProcess start(Path log, String cpus, List<String> jvmFlags, Path bundle, String bootstrap,
                            Map<String, String> settings) {
        int port = freePort();
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.put("http.port", Integer.toString(port));
        List<String> cmd = new ArrayList<>();
        if (cpus != null) {
            cmd.addAll(List.of("taskset", "-c", cpus));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // As bin/clstream starts it: its JVM options, and --add-opens lets the app order ONNX Runtime's shutdown
        // after its own.
        cmd.addAll(launcherOptions());
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-Xmx1g", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Dai.djl.offline=true",
                "-DOPT_OUT_TRACKING=true", "@" + classPathFile(log),
                "dev.clstream.cli.ClstreamCli", "run", "--bundle", bundle.toString(), "--bootstrap-servers",
                bootstrap));
        all.forEach((k, v) -> cmd.addAll(List.of("--set", k + "=" + v)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CLSTREAM_"));
        pb.environment().put("CLSTREAM_LOG_LEVEL", "INFO");
        try {
            long t0 = System.nanoTime();
            return new AppProcess(pb.start(), log, port, t0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    /** Waits until {@code /health/ready} answers 200 (Kafka Streams RUNNING); seconds since the process started. */
    double awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("pid " + process.pid() + " exited with " + process.exitValue()
                        + " before it was ready; see " + log);
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return secondsSinceStart();
                }
            } catch (IOException notListeningYet) {
                // the HTTP server starts with the app: keep asking
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("pid " + process.pid() + " not ready after " + timeout + "; see " + log);
    }

    /** When the process was started (a {@link System#nanoTime()}). */
    long startedNanos() {
        return startedNanos;
    }

    private double secondsSinceStart() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** User + system CPU seconds the process has used so far (all its threads). */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // Fields after the command name, which is in parentheses and may hold spaces: utime is the 14th field.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CpuMeter.TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of pid " + process.pid(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    String get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Waits until the app's {@code /metrics} shows {@code counter} (no labels) at {@code atLeast} or more. */
    void awaitMetric(String counter, double atLeast, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest metrics = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline) {
            for (String line : HTTP.send(metrics, HttpResponse.BodyHandlers.ofString()).body().split("\n")) {
                if (line.startsWith(counter + " ") && Double.parseDouble(line.substring(counter.length() + 1)) >= atLeast) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(counter + " did not reach " + atLeast + " within " + timeout + "; see " + log);
    }

    String logText() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** SIGKILL, as a crash or an OOM kill would end it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("pid " + process.pid() + " still runs 30 s after SIGKILL");
        }
    }

    /** SIGTERM, a clean stop (nothing when already ended); SIGKILL if it has not ended within 60 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
        }
        Runtime.getRuntime().removeShutdownHook(killOnExit);
    }

    /** The JVM options bin/clstream starts the app with (stream-app/bin/jvm.options; benches run from the root). */
    private static List<String> launcherOptions() {
        try {
            return Files.readAllLines(Path.of("stream-app/bin/jvm.options")).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the launcher's JVM options", e);
        }
    }

    /** An argument file keeps this JVM's (long) class path, which is the child's, off the command line. */
    private static Path classPathFile(Path log) {
        try {
            // One per process: instances started together must not read a file another one is rewriting.
            Path file = log.resolveSibling(log.getFileName() + ".classpath");
            Files.writeString(file, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n",
                    StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
