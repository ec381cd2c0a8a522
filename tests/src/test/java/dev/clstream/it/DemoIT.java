package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's main command, as a user runs it after the build: {@code stream-app/bin/clstream demo}
 * starts a real broker in-process with the default model and must print labeled events within 60 s.
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
            double firstSeconds = demo.secondsToFirstLabel();
            System.out.printf("first labeled event %.1f s after starting the demo%n", firstSeconds);
            assertTrue(firstSeconds <= 60, "first labeled event after " + firstSeconds + " s");
        }
    }
}
