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
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ModelBundle;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Puts a linear classification head on an encoder ({@link HeadBundleBuilder}): embeds every labeled
 * text with the encoder's [CLS] state, trains softmax(W·h_0 + b) on a stratified training split,
 * evaluates on the held-out split and writes a new bundle with the head, the labels and the
 * evaluation in bundle.json.
 */
@Command(name = "train-head", mixinStandardHelpOptions = true,
        description = "Train a classification head on an encoder bundle (or on a bare model.onnx + tokenizer.json) "
                + "and write a complete bundle with its held-out evaluation; with --add-to, add it to a bundle's "
                + "heads as a new version.")
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

    static final class AddTo {
        @Option(names = "--add-to", required = true, paramLabel = "BUNDLE", description = "Keep this bundle's heads "
                + "and add the new one after them: a new version (--version) whose one encoder pass serves every head")
        Path bundle;

        @Option(names = "--head", required = true, paramLabel = "NAME", description = "The added head's name "
                + "(letters, digits, '_', '.', '-'), as it appears in the labeled events' heads")
        String head;
    }

    static final class Source {
        @ArgGroup(exclusive = false, multiplicity = "1")
        EncoderBundle bundle;

        @ArgGroup(exclusive = false, multiplicity = "1")
        AddTo addTo;

        @ArgGroup(exclusive = false, multiplicity = "1")
        BareEncoder bare;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Mixin
    DataOptions data;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "Directory of the new bundle")
    Path out;

    @Option(names = "--name", description = "Bundle name (required; with --add-to, default: that bundle's)")
    String name;

    @Option(names = "--version", required = true, description = "Bundle version")
    String version;

    @Option(names = "--description", description = "One line describing the bundle (with --add-to, default: that "
            + "bundle's)")
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
            + "with \"text\" (default: the texts export_hf.py uses; with --add-to and none of the --parity options, "
            + "the texts, precision and tolerances of that bundle's parity.json)")
    Path parityTextsFile;

    @Option(names = "--parity-variant",
            description = "Precision of the encoder graph, recorded in parity.json: fp32, int8 or fp16. Default: fp32")
    String parityVariant;

    @Option(names = "--parity-tolerance",
            description = "Max abs difference of h_0 and of the probabilities that verify-bundle allows against the "
                    + "values recorded now. Default: 1e-4")
    Double parityTolerance;

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

    @Option(names = "--text-strategy", description = "How texts longer than the max length are read: truncate (the "
            + "first window) or chunks (windows of the max length, their h_0 averaged; the bundle records it and the "
            + "stream reads the same way). Default: truncate; with --add-to, that bundle's, and not to be given")
    String textStrategy;

    @Option(names = "--max-chunks", description = "With chunks: at most this many windows per text. Default: 4")
    Integer maxChunks;

    @Option(names = "--chunk-overlap", description = "With chunks: tokens each window repeats from the one before. "
            + "Default: 0")
    Integer chunkOverlap;

    @Override
    public Integer call() throws Exception {
        HeadTrainer.Config defaults = HeadTrainer.Config.defaults();
        HeadTrainer.Config trainer = new HeadTrainer.Config(testFraction, seed, defaults.lambdas(), defaults.folds(),
                defaults.maxIterations());
        HeadBundleBuilder.Encoder encoder = source.bare != null
                ? HeadBundleBuilder.Encoder.bare(source.bare.model, source.bare.tokenizer, source.bare.maxLength)
                : HeadBundleBuilder.Encoder.bundle(source.addTo != null ? source.addTo.bundle : source.bundle.bundle);
        BundleManifest target = source.addTo != null ? ModelBundle.load(source.addTo.bundle).manifest() : null;
        if (name == null && target == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--name is required (unless --add-to)");
        }
        if (target != null && (textStrategy != null || maxChunks != null || chunkOverlap != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--text-strategy, --max-chunks and "
                    + "--chunk-overlap cannot be given with --add-to: the added head reads texts as "
                    + source.addTo.bundle + " does");
        }
        HeadBundleBuilder builder = new HeadBundleBuilder(encoder, new TrainingData(data.data, data.format,
                data.settings(), data::read, view -> data.messages().stream().map(view::of).toList()), out,
                name != null ? name : target.name(), version);
        if (target != null) {
            builder.optAddTo(source.addTo.head); // which reads texts as that bundle does
        } else {
            builder.optText(textStrategy());
        }
        if (target == null || parityTextsFile != null || parityVariant != null || parityTolerance != null) {
            builder.optParity(parityTexts(), parityVariant != null ? parityVariant : "fp32",
                    parityTolerance != null ? parityTolerance : 1e-4);
        }
        builder.optDescription(description != null ? description : target != null ? target.description() : "")
                .optEncoderSource(encoderSource)
                .optLabels(labels)
                .optTrainer(trainer)
                .optHeldOutFile(heldOutFile)
                .optEmbeddingCache(embeddingCache)
                .optCommittedHead(fromHead)
                .optSaveHead(saveHead)
                .optTrainViews(trainViews.stream().map(TextView::parse).toList())
                .optForce(force)
                .build();
        return 0;
    }

    private TextStrategy textStrategy() {
        return switch (textStrategy == null ? "truncate" : textStrategy) {
            case "truncate" -> TextStrategy.TRUNCATE;
            case "chunks" -> TextStrategy.chunks(maxChunks == null ? 4 : maxChunks,
                    chunkOverlap == null ? 0 : chunkOverlap);
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
