package dev.clstream.export.build;

import dev.clstream.export.data.LabeledText;
import dev.clstream.export.data.TextView;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Labeled examples for a head: the file they come from, how it is read ({@code format}, and
 * {@code settings}: everything besides the file's bytes that decides which examples are read, for
 * fingerprints and caches), and the reader itself.
 */
public record TrainingData(Path file, String format, String settings, Reader reader, ViewReader views) {
    @FunctionalInterface
    public interface Reader {
        List<LabeledText> read() throws IOException;
    }

    /** Every example in one {@link TextView}, with the example's id; refused where the format has no views. */
    @FunctionalInterface
    public interface ViewReader {
        List<LabeledText> read(TextView view) throws IOException;
    }

    public List<LabeledText> read() throws IOException {
        return reader.read();
    }
}
