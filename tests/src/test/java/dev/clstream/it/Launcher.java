package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code stream-app/bin/clstream}, the launcher the README gives, started as a user starts it after the build. */
final class Launcher {
    private Launcher() {}

    /**
     * {@code clstream ARGS...} in the repository root, with no {@code CLSTREAM_*} setting taken from
     * this process' environment (the app would read it as configuration).
     */
    static ProcessBuilder builder(List<String> args) {
        Path launcher = ExternalTools.repoRoot().resolve("stream-app/bin/clstream");
        assertTrue(Files.isExecutable(launcher), launcher + " must exist and be executable");
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ExternalTools.repoRoot().toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CLSTREAM_"));
        return pb;
    }
}
