package dev.clstream.export.cli;

import dev.clstream.bundle.TextStrategy;
import dev.clstream.export.build.HeadBundleBuilder;
import dev.clstream.export.build.ParityRecorder;
import dev.clstream.export.build.TrainingData;
import dev.clstream.export.data.TextView;
import dev.clstream.export.train.HeadTrainer;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Puts a linear classification head on an encoder ({@link HeadBundleBuilder}): embeds every labeled
 * text with the encoder's [CLS] state, trains softmax(W·h_0 + b) on a stratified training split,
 * evaluates on the held-out split and writes a new bundle with the head, the labels and the
 * evaluation in bundle.json.
 */
@Command(name = "train-head", mixinStandardHelpOptions = true,
        description = "Train a classification head on an encoder bundle (or on a bare model.onnx + tokenizer.json) "
                + "and write a complete bundle with its held-out evaluation.")
final class TrainHeadCommand implements Callable<Integer> {

    static final class EncoderBundle {
        @Option(names = "--bundle", required = true, description = "An existing bundle; its head, if any, is ignored")
        Path bundle;
    }

    static final class BareEncoder {
        @Option(names = "--model", required = true, description = "An encoder graph (ONNX) with last_hidden_state")
        Path model;

        @Option(names = "--tokenizer", required = true, description = "Its Hugging Face tokenizer.json")
        Path tokenizer;

        @Option(names = "--max-length", required = true, description = "Max tokens per text, special tokens included")
        int maxLength;
    }

    static final class Source {
        @ArgGroup(exclusive = false, multiplicity = "1")
        EncoderBundle bundle;

        @ArgGroup(exclusive = false, multiplicity = "1")
        BareEncoder bare;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Mixin
    DataOptions data;

    @Option(names = "--out", required = true, description = "Directory of the new bundle")
    Path out;

    @Option(names = "--name", required = true, description = "Bundle name")
    String name;

    @Option(names = "--version", required = true, description = "Bundle version")
    String version;

    @Option(names = "--description", defaultValue = "", description = "One line describing the bundle")
    String description;

    @Option(names = "--encoder-source", defaultValue = "",
            description = "Where the encoder came from (recorded in bundle.json provenance)")
    String encoderSource;

    @Option(names = "--labels", split = ",", description = "Label names in id order (default: sorted distinct labels)")
    List<String> labels = List.of();

    @Option(names = "--seed", defaultValue = "42", description = "Split and cross-validation seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--test-fraction", defaultValue = "0.2", description = "Held-out share per class. Default: ${DEFAULT-VALUE}")
    double testFraction;

    @Option(names = "--force", description = "Rebuild even if the bundle in --out was made from the same inputs")
    boolean force;

    @Option(names = "--held-out-file", description = "Also write the held-out examples (id, text, label) to this "
            + ".jsonl.gz file: texts the head never saw, e.g. for demo traffic")
    Path heldOutFile;

    @Option(names = "--parity-texts", description = "Texts for the bundle's parity.json, one per line or JSON lines "
            + "with \"text\" (default: the texts export_hf.py uses)")
    Path parityTextsFile;

    @Option(names = "--parity-variant", defaultValue = "fp32",
            description = "Precision of the encoder graph, recorded in parity.json: fp32, int8 or fp16. Default: ${DEFAULT-VALUE}")
    String parityVariant;

    @Option(names = "--parity-tolerance", defaultValue = "1e-4",
            description = "Max abs difference of h_0 and of the probabilities that verify-bundle allows against the "
                    + "values recorded now. Default: ${DEFAULT-VALUE}")
    double parityTolerance;

    @Option(names = "--embedding-cache", description = "Directory to keep [CLS] embeddings of the data in, keyed by "
            + "model, tokenizer, max length and data, so retraining skips re-embedding")
    Path embeddingCache;

    @Option(names = "--from-head", paramLabel = "DIR", description = "Assemble the bundle from the head kept in DIR "
            + "(bundle.json, parity.json) instead of training; refused unless DIR's head was trained from these very "
            + "inputs. Embeds nothing: what the build does for the default bundles")
    Path fromHead;

    @Option(names = "--save-head", paramLabel = "DIR", description = "After training, copy the head (bundle.json, "
            + "parity.json) to DIR, for --from-head to assemble from")
    Path saveHead;

    @Option(names = "--train-views", split = ",", paramLabel = "VIEW", description = "Also train on these views of "
            + "each training message, with its label: short (subject and the first 200 characters of the body), "
            + "subject (the subject alone). The split stays by message: no view of a held-out message is trained "
            + "on. Needs --format spamassassin")
    List<String> trainViews = List.of();

    @Option(names = "--text-strategy", defaultValue = "truncate", description = "How texts longer than the max length "
            + "are read: truncate (the first window) or chunks (windows of the max length, their h_0 averaged; the "
            + "bundle records it and the stream reads the same way). Default: ${DEFAULT-VALUE}")
    String textStrategy;

    @Option(names = "--max-chunks", defaultValue = "4", description = "With chunks: at most this many windows per "
            + "text. Default: ${DEFAULT-VALUE}")
    int maxChunks;

    @Option(names = "--chunk-overlap", defaultValue = "0", description = "With chunks: tokens each window repeats "
            + "from the one before. Default: ${DEFAULT-VALUE}")
    int chunkOverlap;

    @Override
    public Integer call() throws Exception {
        HeadTrainer.Config defaults = HeadTrainer.Config.defaults();
        HeadTrainer.Config trainer = new HeadTrainer.Config(testFraction, seed, defaults.lambdas(), defaults.folds(),
                defaults.maxIterations());
        HeadBundleBuilder.Encoder encoder = source.bare != null
                ? HeadBundleBuilder.Encoder.bare(source.bare.model, source.bare.tokenizer, source.bare.maxLength)
                : HeadBundleBuilder.Encoder.bundle(source.bundle.bundle);
        new HeadBundleBuilder(encoder, new TrainingData(data.data, data.format, data.settings(), data::read,
                view -> data.messages().stream().map(view::of).toList()), out, name,
                version)
                .optDescription(description)
                .optEncoderSource(encoderSource)
                .optLabels(labels)
                .optTrainer(trainer)
                .optParity(parityTexts(), parityVariant, parityTolerance)
                .optHeldOutFile(heldOutFile)
                .optEmbeddingCache(embeddingCache)
                .optCommittedHead(fromHead)
                .optSaveHead(saveHead)
                .optTrainViews(trainViews.stream().map(TextView::parse).toList())
                .optText(textStrategy())
                .optForce(force)
                .build();
        return 0;
    }

    private TextStrategy textStrategy() {
        return switch (textStrategy) {
            case "truncate" -> TextStrategy.TRUNCATE;
            case "chunks" -> TextStrategy.chunks(maxChunks, chunkOverlap);
            default -> throw new IllegalArgumentException("--text-strategy must be truncate or chunks, got '"
                    + textStrategy + "'");
        };
    }

    private List<String> parityTexts() throws IOException {
        if (parityTextsFile == null) {
            return ParityRecorder.defaultTexts();
        }
        try (BufferedReader reader = Files.newBufferedReader(parityTextsFile)) {
            List<String> texts = ParityRecorder.readTexts(reader);
            if (texts.isEmpty()) {
                throw new IllegalArgumentException("--parity-texts " + parityTextsFile + " holds no texts");
            }
            return texts;
        }
    }
}
