package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code clstream} as a child JVM on the test's class path, as a deployment runs it: its own
 * process, its own heap, real signals and a real exit status. Output goes to a log file.
 */
final class ChildApp {
    static final int SIGKILL_EXIT = 128 + 9;
    static final int SIGTERM_EXIT = 128 + 15;
    static final int SIGINT_EXIT = 128 + 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChildApp() {}

    /** What a finished command printed (stdout, stderr and its log together) and its exit status. */
    record Done(int status, String output) {
        /** The lines that are JSON objects: what produce reports and tail prints, without the log. */
        List<JsonNode> objects() {
            List<JsonNode> out = new ArrayList<>();
            for (String line : output.split("\n")) {
                if (line.startsWith("{")) {
                    try {
                        out.add(JSON.readTree(line));
                    } catch (IOException e) {
                        throw new UncheckedIOException(line, e);
                    }
                }
            }
            return out;
        }
    }

    /**
     * Runs {@code clstream ARGS...} with {@code settings} to its end (at most 120 s), {@code stdin} (or nothing) on
     * its standard input; what it printed is echoed to this test's output.
     */
    static Done runToEnd(Path workDir, String stdin, List<String> args, Map<String, String> settings)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile(Files.createDirectories(workDir), "clstream-", ".log");
        Process p = start(command(workDir, List.of("-Xmx256m"), args, settings), log);
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        int status = awaitExit(p, 120, log);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println("$ clstream " + String.join(" ", args) + " -> " + status + "\n" + output);
        return new Done(status, output);
    }

    /**
     * The command line of {@code clstream ARGS...} with {@code settings} as {@code --set} flags.
     *
     * @param workDir where the class-path argument file goes
     * @param jvmOptions e.g. {@code -Xmx256m}
     */
    static List<String> command(Path workDir, List<String> jvmOptions, List<String> args, Map<String, String> settings) {
        String classPath = System.getProperty("java.class.path");
        assertTrue(classPath.contains("clstream-stream-app"), "the test class path is the child's: " + classPath);
        Path argFile;
        try {
            // An argument file keeps the (long) class path off the command line.
            argFile = Files.createTempFile(Files.createDirectories(workDir), "classpath", ".args");
            Files.writeString(argFile, "-cp \"" + classPath.replace("\\", "\\\\") + "\"\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Dai.djl.offline=true", "@" + argFile, "dev.clstream.cli.ClstreamCli"));
        cmd.addAll(args);
        settings.forEach((k, v) -> {
            cmd.add("--set");
            cmd.add(k + "=" + v);
        });
        return cmd;
    }

    /** Starts {@code command} with no configuration from this process' environment, its output in {@code log}. */
    static Process start(List<String> command, Path log) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CLSTREAM_"));
        pb.environment().put("CLSTREAM_LOG_LEVEL", "INFO");
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0), e);
        }
    }

    /** Waits for the process to end by itself; its exit status. */
    static int awaitExit(Process p, long timeoutSeconds, Path log) throws InterruptedException {
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("pid " + p.pid() + " still ran after " + timeoutSeconds + " s; its log ends with:\n"
                    + ItSupport.tail(log, 40));
        }
        return p.exitValue();
    }

    /** SIGKILL (Process.destroyForcibly on Linux), verified by the exit status 128 + 9 and the pid being gone. */
    static void kill(Process p) throws InterruptedException {
        long pid = p.pid();
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " runs before the kill");
        p.destroyForcibly();
        assertTrue(p.waitFor(15, TimeUnit.SECONDS), "pid " + pid + " still runs 15 s after SIGKILL");
        assertEquals(SIGKILL_EXIT, p.exitValue(), "pid " + pid + " exit status: 137 means killed by SIGKILL");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " is gone");
    }

    /** Sends {@code signal} ({@code INT}, {@code TERM}) with kill(1). */
    static void signal(Process p, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -" + signal + " " + p.pid());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
