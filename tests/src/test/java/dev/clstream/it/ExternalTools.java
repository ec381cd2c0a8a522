package dev.clstream.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the repository's files are, and how the tests run command-line tools to completion. Whether a tool is there
 * at all is {@link dev.clstream.testing.RequiredTools}' call: skipped on a developer's machine, failed under CI.
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
