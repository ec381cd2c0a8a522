package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code clstream demo --count 30} as a new user runs it: exactly 30 labeled events, both classes
 * among them (the held-out messages are interleaved, not in file order), a clean exit, and not one
 * WARN or ERROR line from a normal start, run and stop.
 */
class DemoCountIT {
    @Test
    void printsExactlyTheCountBothLabelsAndNoWarning() throws Exception {
        try (DemoRun demo = new DemoRun(List.of("demo", "--count", "30"))) {
            assertEquals(0, demo.awaitExit(180), "demo exit status");
            List<String> labeled = demo.labeled();
            assertEquals(30, labeled.size(), "labeled event lines: " + labeled);
            Set<String> labels = labeled.stream().map(l -> DemoRun.LABELED.matcher(l).replaceFirst("$1"))
                    .collect(Collectors.toSet());
            assertEquals(Set.of("ham", "spam"), labels, "both classes among the first 30");
            assertEquals(List.of(), demo.warningsAndErrors(), "WARN or ERROR lines");
            assertTrue(demo.err.stream().anyMatch(l -> l.startsWith("clstream demo: [")), "the summary: " + demo.err);
        }
    }
}
