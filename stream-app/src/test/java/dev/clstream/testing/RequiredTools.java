package dev.clstream.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The one guard for tests that need something from outside the build (a browser, promtool, prometheus, docker
 * compose, node and its packages, keytool): a test whose tool is missing is skipped on a developer's machine, with a
 * message saying how to install it, but fails under CI ({@code CI=true}): .ci/run and the build install every one of
 * them, so a skip there would hide a broken install step.
 */
public final class RequiredTools {
    private RequiredTools() {}

    /** An executable named {@code name} on the PATH, if any. */
    public static Optional<Path> find(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The tool on the PATH, or skip (fail under CI) with {@code howToInstall}. */
    public static Path require(String name, String howToInstall) {
        Optional<Path> tool = find(name);
        requirePresent(tool.isPresent(), "'" + name + "' is not on the PATH: " + howToInstall);
        return tool.orElseThrow();
    }

    /** Skips the test when {@code present} is false, or fails it under CI, where what is missing is installed. */
    public static void requirePresent(boolean present, String message) {
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI=true: CI installs it, so this is an install failure)");
        }
        Assumptions.assumeTrue(present, message);
    }
}
