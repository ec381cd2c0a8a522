package dev.clstream.export.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.export.build.Embedder;
import dev.clstream.export.build.HeadBundleWriter;
import dev.clstream.export.build.ParityRecorder;
import dev.clstream.export.data.LabeledText;
import dev.clstream.export.train.HeadTrainer;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Puts a linear classification head on an encoder: embeds every labeled text with the encoder's
 * [CLS] state, trains softmax(W·h_0 + b) on a stratified training split, evaluates on the held-out
 * split and writes a new bundle with the head, the labels and the evaluation in bundle.json.
 */
@Command(name = "train-head", mixinStandardHelpOptions = true,
        description = "Train a classification head on an encoder bundle (or on a bare model.onnx + tokenizer.json) "
                + "and write a complete bundle with its held-out evaluation.")
final class TrainHeadCommand implements Callable<Integer> {

    static final class Encoder {
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
        Encoder bundle;

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

    @Override
    public Integer call() throws Exception {
        if (!List.of("fp32", "int8", "fp16").contains(parityVariant)) {
            throw new IllegalArgumentException("--parity-variant must be one of: fp32, int8, fp16; got '"
                    + parityVariant + "'");
        }
        if (!(parityTolerance > 0)) {
            throw new IllegalArgumentException("--parity-tolerance must be > 0, got " + parityTolerance);
        }
        HeadTrainer.Config defaults = HeadTrainer.Config.defaults();
        HeadTrainer.Config config = new HeadTrainer.Config(testFraction, seed, defaults.lambdas(), defaults.folds(),
                defaults.maxIterations());
        Path modelFile = source.bare != null ? source.bare.model : source.bundle.bundle.resolve(BundleManifest.MODEL_FILE);
        Path tokenizerFile = source.bare != null ? source.bare.tokenizer
                : source.bundle.bundle.resolve(BundleManifest.TOKENIZER_FILE);
        List<String> parityTexts = parityTexts();
        String fingerprint = TrainingInputs.fingerprint(modelFile, tokenizerFile, data.data, maxLength(), config,
                data.settings(), String.join(",", labels), name, version, description, encoderSource,
                "parity " + parityVariant + " " + parityTolerance + "\n" + String.join("\n", parityTexts),
                // An int8 encoder's h_0 depends on its batch-mates, so the embeddings depend on the batch size.
                "encoder batch " + EncoderOptions.defaults().maxBatchSize());
        boolean heldOutMissing = heldOutFile != null && !Files.isRegularFile(heldOutFile);
        if (!force && !heldOutMissing && TrainingInputs.upToDate(out, fingerprint)) {
            System.out.println(out + ": up to date (same model, tokenizer, data and settings); use --force to rebuild");
            return 0;
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Path staging = Files.createTempDirectory(out.toAbsolutePath().getParent(), ".train-head-");
        try {
            train(stageEncoder(staging), config, fingerprint, parityTexts);
        } finally {
            deleteTree(staging);
        }
        System.out.println(name + ": wrote bundle " + out.toAbsolutePath());
        return 0;
    }

    private void writeHeldOut(List<LabeledText> examples, int[] indices) throws java.io.IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        Path parent = heldOutFile.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        try (var out = new java.io.BufferedWriter(new java.io.OutputStreamWriter(new java.util.zip.GZIPOutputStream(
                Files.newOutputStream(heldOutFile)), java.nio.charset.StandardCharsets.UTF_8))) {
            for (int i : indices) {
                LabeledText e = examples.get(i);
                ObjectNode n = json.createObjectNode().put("id", e.id()).put("text", e.text()).put("label", e.label());
                out.write(json.writeValueAsString(n));
                out.write('\n');
            }
        }
        System.out.println(name + ": wrote " + indices.length + " held-out examples to " + heldOutFile);
    }

    private Embedder.Embedded embed(InferenceEngine engine, List<LabeledText> examples, Path modelFile,
                                    Path tokenizerFile) throws java.io.IOException {
        if (embeddingCache == null) {
            return Embedder.embed(engine, examples, System.out);
        }
        // The batch size is part of the key: a dynamically quantised (int8) encoder's h_0 depends on its batch-mates.
        String key = new dev.clstream.export.build.FingerprintBuilder().file(modelFile).file(tokenizerFile)
                .file(data.data).text(data.settings()).text(Integer.toString(engine.manifest().maxLength()))
                .text("batch " + engine.options().maxBatchSize()).hex();
        var cache = new dev.clstream.export.build.EmbeddingCache(embeddingCache, key);
        List<LabeledText> usable = Embedder.usable(engine, examples);
        var cached = cache.load(usable, examples.size() - usable.size());
        if (cached.isPresent()) {
            System.out.println(name + ": using cached embeddings from " + embeddingCache);
            return cached.get();
        }
        Embedder.Embedded fresh = Embedder.embedUsable(engine, usable, examples.size(), System.out);
        cache.store(fresh);
        return fresh;
    }

    private int maxLength() {
        return source.bare != null ? source.bare.maxLength : ModelBundle.load(source.bundle.bundle).manifest().maxLength();
    }


    private void train(ModelBundle encoder, HeadTrainer.Config config, String fingerprint, List<String> parityTexts)
            throws Exception {
        List<LabeledText> examples = data.read();
        System.out.printf("%s: %d labeled examples from %s%n", name, examples.size(), data.data);
        HeadTrainer.Result result;
        int skipped;
        try (InferenceEngine engine = InferenceEngine.open(encoder, EncoderOptions.defaults())) {
            Embedder.Embedded embedded = embed(engine, examples, encoder.modelFile(), encoder.tokenizerFile());
            skipped = embedded.skipped();
            result = new HeadTrainer(config).train(embedded.features(),
                    embedded.examples().stream().map(LabeledText::label).toList(), labels);
            if (heldOutFile != null) {
                writeHeldOut(embedded.examples(), result.heldOutIndices());
            }
        }
        System.out.printf("%s: held-out evaluation (lambda %s, %d train / %d test examples)%n%s", name, result.lambda(),
                result.report().get("train_examples").asInt(), result.report().get("test_examples").asInt(),
                result.heldOut().format());
        ObjectNode provenance = JsonNodeFactory.instance.objectNode();
        provenance.put("encoder", encoderSource.isEmpty() ? encoder.manifest().id() : encoderSource);
        provenance.put("training_data", data.data.getFileName().toString());
        provenance.put("training_data_sha256", dev.clstream.bundle.Sha256.of(data.data));
        provenance.put("training_data_format", data.format);
        provenance.put("examples", examples.size());
        provenance.put("skipped_empty_examples", skipped);
        provenance.put("created", Instant.now().toString());
        provenance.put(TrainingInputs.FINGERPRINT_FIELD, fingerprint);
        ModelBundle written = HeadBundleWriter.write(encoder, out, name, version, description, result.labels(),
                result.head(), provenance, result.report());
        ParityRecorder.addTo(written, parityTexts, parityVariant, parityTolerance, parityTolerance);
        System.out.printf("%s: recorded parity.json (%s, tolerance %s); check it with 'clstream verify-bundle %s'%n",
                name, parityVariant, parityTolerance, out);
    }

    private List<String> parityTexts() throws java.io.IOException {
        if (parityTextsFile == null) {
            return ParityRecorder.defaultTexts();
        }
        try (var reader = Files.newBufferedReader(parityTextsFile)) {
            List<String> texts = ParityRecorder.readTexts(reader);
            if (texts.isEmpty()) {
                throw new IllegalArgumentException("--parity-texts " + parityTextsFile + " holds no texts");
            }
            return texts;
        }
    }

    /**
     * An encoder-only bundle to embed with: the given one, or the bare files staged in {@code staging},
     * so that a failed run leaves whatever --out held before untouched.
     */
    private ModelBundle stageEncoder(Path staging) throws java.io.IOException {
        if (source.bundle != null) {
            return ModelBundle.load(source.bundle.bundle);
        }
        Files.copy(source.bare.model, staging.resolve(BundleManifest.MODEL_FILE), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(source.bare.tokenizer, staging.resolve(BundleManifest.TOKENIZER_FILE),
                StandardCopyOption.REPLACE_EXISTING);
        BundleManifest encoderOnly = new BundleManifest(BundleManifest.FORMAT_VERSION, name, version, description,
                source.bare.maxLength, List.of(), Optional.empty(), Map.of(), null, null);
        return ModelBundle.write(staging, encoderOnly);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Decides whether an existing bundle already reflects these exact inputs. */
    static final class TrainingInputs {
        static final String FINGERPRINT_FIELD = "inputs_fingerprint";

        static String fingerprint(Path model, Path tokenizer, Path data, int maxLength, HeadTrainer.Config config,
                                  String... settings) {
            var f = new dev.clstream.export.build.FingerprintBuilder().file(model).file(tokenizer).file(data)
                    .text(Integer.toString(maxLength)).text(HeadTrainer.ALGORITHM_VERSION)
                    .text(config.toJson().toString());
            for (String s : settings) {
                f.text(s);
            }
            return f.hex();
        }

        static boolean upToDate(Path out, String fingerprint) {
            if (!Files.isRegularFile(out.resolve(BundleManifest.FILE_NAME))) {
                return false;
            }
            try {
                JsonNode recorded = ModelBundle.load(out).manifest().provenance().get(FINGERPRINT_FIELD);
                return recorded != null && recorded.asText().equals(fingerprint);
            } catch (BundleException e) {
                return false;
            }
        }
    }
}
