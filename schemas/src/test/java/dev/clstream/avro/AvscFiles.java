package dev.clstream.avro;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.avro.Schema;

/** The module's schema files as the build sees them: src/main/avro/*.avsc and src/test/resources/schema-history. */
final class AvscFiles {

    /** The four schemas this module commits to; every one of them must exist and pass every test. */
    static final List<String> EXPECTED = List.of("TextEvent", "LabeledEvent", "ClsEmbedding", "DeadLetter");

    static final String NAMESPACE = "dev.clstream.avro";

    private static final Path BASEDIR = Path.of(System.getProperty("basedir", "."));
    static final Path SOURCE_DIR = BASEDIR.resolve("src/main/avro");
    static final Path HISTORY_DIR = BASEDIR.resolve("src/test/resources/schema-history");

    private AvscFiles() {
    }

    /** Every .avsc file in src/main/avro, sorted by name, so a schema added later is covered automatically. */
    static List<Path> sourceFiles() {
        try (Stream<Path> files = Files.list(SOURCE_DIR)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".avsc")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The current schema of the given record, parsed from its file with a parser of its own. */
    static Schema current(String recordName) {
        return parse(SOURCE_DIR.resolve(recordName + ".avsc"));
    }

    static Schema parse(Path file) {
        try {
            return new Schema.Parser().parse(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String recordName(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - ".avsc".length());
    }
}
