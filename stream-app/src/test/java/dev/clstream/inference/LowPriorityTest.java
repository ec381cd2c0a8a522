package dev.clstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A background encoder thread asks for nice 19, and gets it, where the OS has per-thread niceness (Linux). */
class LowPriorityTest {
    @Test
    void theCallingThreadAloneRunsAtNice19() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "not Linux");
        AtomicReference<String> niceAfter = new AtomicReference<>();
        AtomicReference<Boolean> lowered = new AtomicReference<>();
        // A thread of its own: an unprivileged thread cannot raise its priority again.
        Thread t = new Thread(() -> {
            lowered.set(LowPriority.lowerCurrentThread());
            niceAfter.set(nice());
        });
        t.start();
        t.join();
        assertTrue(lowered.get(), "renice is part of every Linux base system");
        assertEquals("19", niceAfter.get());
        assertEquals("0", nice(), "the test's own thread keeps its priority");
    }

    /** Field 19 of /proc/thread-self/stat (after the command name in parentheses, field 17 of the rest). */
    private static String nice() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16];
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
