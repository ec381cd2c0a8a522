package dev.clstream.export.cli;

import dev.clstream.export.data.LabeledDataReader;
import dev.clstream.export.data.LabeledText;
import dev.clstream.export.data.SpamAssassinCorpus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Where labeled examples come from: a JSON-lines or CSV file, or the derived SpamAssassin corpus. */
final class DataOptions {
    @Option(names = "--data", required = true, description = "Labeled examples: .jsonl/.ndjson/.csv, optionally .gz")
    Path data;

    @Option(names = "--format", defaultValue = "labeled",
            description = "labeled (fields --text-field/--label-field) or spamassassin (model-export/data format). "
                    + "Default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--text-field", defaultValue = "text", description = "Text field or CSV column. Default: ${DEFAULT-VALUE}")
    String textField;

    @Option(names = "--label-field", defaultValue = "label", description = "Label field or CSV column. Default: ${DEFAULT-VALUE}")
    String labelField;

    @Option(names = "--id-field", defaultValue = "id", description = "Optional id field or CSV column. Default: ${DEFAULT-VALUE}")
    String idField;

    /** Everything besides the file's bytes that decides which examples are read. */
    String settings() {
        return String.join("\u0000", format, textField, labelField, idField);
    }

    /** The corpus' messages, subject and body apart (for views of them); only --format spamassassin has them. */
    List<SpamAssassinCorpus.Message> messages() {
        if (!format.equals("spamassassin")) {
            throw new IllegalArgumentException("views of a message need its subject and body: use --format "
                    + "spamassassin, got '" + format + "'");
        }
        return SpamAssassinCorpus.read(data);
    }

    List<LabeledText> read() throws IOException {
        return switch (format) {
            case "spamassassin" -> SpamAssassinCorpus.read(data).stream()
                    .map(SpamAssassinCorpus.Message::asLabeledText).toList();
            case "labeled" -> new LabeledDataReader(textField, labelField, idField).read(data);
            default -> throw new IllegalArgumentException("--format must be 'labeled' or 'spamassassin', got '"
                    + format + "'");
        };
    }
}
