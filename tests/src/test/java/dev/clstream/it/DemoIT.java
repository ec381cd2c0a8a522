package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's main command, as a user runs it after the build: {@code stream-app/bin/clstream demo}
 * starts a real broker in-process with the default model and must print labeled events within 60 s.
 */
class DemoIT {
    private static final Pattern LIVE_PAGE = Pattern.compile("^live page: http://127\\.0\\.0\\.1:\\d+/ .*");
    private static final Pattern LABELED = Pattern.compile("^[✓✗ ] (spam|ham)\\s+\\d\\.\\d{3}\\s+\\S.*");

    @Test
    void demoPrintsLabeledEventsWithinSixtySeconds() throws Exception {
        Path root = Path.of(System.getProperty("clstream.repo.root")).toAbsolutePath().normalize();
        Path launcher = root.resolve("stream-app/bin/clstream");
        assertTrue(Files.isExecutable(launcher), launcher + " must exist and be executable");
        long start = System.nanoTime();
        Process demo = new ProcessBuilder(launcher.toString(), "demo", "--count", "10")
                .directory(root.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> labeled = new CopyOnWriteArrayList<>();
        List<String> livePage = new CopyOnWriteArrayList<>();
        long[] firstLabeledNanos = {0};
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    System.out.println("demo> " + line);
                    if (LIVE_PAGE.matcher(line).matches()) {
                        livePage.add(line);
                    }
                    if (LABELED.matcher(line).matches()) {
                        if (labeled.isEmpty()) {
                            firstLabeledNanos[0] = System.nanoTime();
                        }
                        labeled.add(line);
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        try {
            assertTrue(demo.waitFor(180, TimeUnit.SECONDS), "demo --count 10 did not finish in 180 s");
            reader.join(5_000);
            assertEquals(0, demo.exitValue(), "demo exit status");
            assertTrue(labeled.size() >= 10, "labeled lines: " + labeled);
            assertEquals(1, livePage.size(), "the demo prints its live page's URL once at start: " + livePage);
            double firstSeconds = (firstLabeledNanos[0] - start) / 1e9;
            System.out.printf("first labeled event %.1f s after starting the demo%n", firstSeconds);
            assertTrue(firstSeconds <= 60, "first labeled event after " + firstSeconds + " s");
        } finally {
            demo.destroyForcibly();
        }
    }
}
