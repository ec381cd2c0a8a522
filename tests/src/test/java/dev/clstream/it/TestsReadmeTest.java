package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** tests/README.md's table names every integration test of this module, and nothing else. */
class TestsReadmeTest {
    @Test
    void theReadmeTableListsEveryIntegrationTest() throws IOException {
        Set<String> tests;
        try (Stream<Path> files = Files.list(Path.of("src/test/java/dev/clstream/it"))) {
            tests = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("IT.java"))
                    .map(n -> n.substring(0, n.length() - ".java".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Matcher row = Pattern.compile("(?m)^\\| `(\\w+IT)` \\|").matcher(Files.readString(Path.of("README.md")));
        Set<String> listed = new TreeSet<>();
        while (row.find()) {
            listed.add(row.group(1));
        }
        assertEquals(tests, listed, "tests/README.md's table against src/test/java/dev/clstream/it/*IT.java");
    }
}
