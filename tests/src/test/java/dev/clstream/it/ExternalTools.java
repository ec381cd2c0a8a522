package dev.clstream.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Command-line tools the deployment tests run (promtool, prometheus, docker compose, node), found on the PATH. A test
 * whose tool is missing is skipped on a developer's machine, but fails under CI ({@code CI=true}): .ci/run installs
 * every one of them, so a skip there would hide a broken install step.
 */
final class ExternalTools {
    private ExternalTools() {}

    /** The repository root (failsafe sets clstream.repo.root). */
    static Path repoRoot() {
        return Path.of(System.getProperty("clstream.repo.root", "..")).toAbsolutePath().normalize();
    }

    /** deploy/ in the repository. */
    static Path deployDir() {
        return repoRoot().resolve("deploy");
    }

    /** An executable named {@code name} on the PATH, if any. */
    static Optional<Path> find(String name) {
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

    /** The tool, or skip (fail under CI) with {@code howToInstall}. */
    static Path require(String name, String howToInstall) {
        Optional<Path> tool = find(name);
        requirePresent(tool.isPresent(), "'" + name + "' is not on the PATH: " + howToInstall);
        return tool.orElseThrow();
    }

    /** Skips the test when {@code present} is false, or fails under CI where .ci/run installs what is missing. */
    static void requirePresent(boolean present, String message) {
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI=true: .ci/run installs it, so this is an install failure)");
        }
        Assumptions.assumeTrue(present, message);
    }

    /** What a finished command printed (stdout and stderr together) and its exit status. */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * Runs a command to completion in {@code dir}, stdout and stderr merged into a file under target/it-work (a pipe
     * could fill and block a chatty tool), failing after {@code timeoutSeconds}.
     */
    static Result run(Path dir, long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(ItSupport.workDir(), Path.of(command[0]).getFileName() + "-", ".log");
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s:\n"
                    + ItSupport.tail(log, 40));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
