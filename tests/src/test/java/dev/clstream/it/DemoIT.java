package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's main command, as a user runs it after the build: {@code stream-app/bin/clstream demo}
 * starts a real broker in-process with the default model and prints labeled events: the first within 30 s of its
 * start line (the app running), and within 120 s of launching the JVM.
 */
class DemoIT {
    private static final Pattern LIVE_PAGE = Pattern.compile("^live page: http://127\\.0\\.0\\.1:\\d+/ .*");

    @Test
    void demoPrintsLabeledEventsWithinSixtySeconds() throws Exception {
        try (DemoRun demo = new DemoRun(List.of("demo", "--count", "10"))) {
            assertEquals(0, demo.awaitExit(180), "demo exit status");
            assertEquals(10, demo.labeled().size(), "labeled lines: " + demo.labeled());
            List<String> livePage = demo.out.stream().filter(l -> LIVE_PAGE.matcher(l).matches()).toList();
            assertEquals(1, livePage.size(), "the demo prints its live page's URL once at start: " + livePage);
            double pipeline = demo.secondsFromStartLineToFirstLabel();
            double total = demo.secondsToFirstLabel();
            System.out.printf("first labeled event %.1f s after starting the demo, %.1f s after its start line%n", total,
                    pipeline);
            // The pipeline's part is bounded tightly; the JVM and model loading only loosely, as a busy CI machine
            // may take its time starting a JVM.
            assertTrue(pipeline <= 30, "first labeled event " + pipeline + " s after the demo's start line");
            assertTrue(total <= 120, "first labeled event " + total + " s after launching the demo");
        }
    }
}
