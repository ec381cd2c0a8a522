package dev.clstream.export.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ClassifierHead;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.ParityFile;
import dev.clstream.bundle.TextStrategy;
import dev.clstream.bundle.Sha256;
import dev.clstream.export.data.LabeledText;
import dev.clstream.export.data.TextView;
import dev.clstream.export.train.HeadTrainer;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.tokenize.TextTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Puts a linear classification head on an encoder and writes the bundle: embeds every labeled text
 * with the encoder's [CLS] state, trains softmax(W·h_0 + b) on a stratified training split,
 * evaluates on the held-out split, writes the bundle with the head, labels and evaluation in
 * bundle.json, and records its parity.json. A bundle already made from the same inputs (its
 * fingerprint) is left as it is. What {@code clstream-export train-head} runs.
 */
public final class HeadBundleBuilder {
    /** Where the fingerprint of the inputs is recorded in bundle.json's provenance. */
    public static final String FINGERPRINT_FIELD = "inputs_fingerprint";

    /** What {@link #build} did. */
    public enum Result { WROTE, ASSEMBLED, UP_TO_DATE }

    /** The encoder: an existing bundle (its head, if any, ignored) or a bare model.onnx and tokenizer.json. */
    public record Encoder(Path bundle, Path model, Path tokenizer, int maxLength) {
        public static Encoder bundle(Path dir) {
            return new Encoder(dir, null, null, 0);
        }

        public static Encoder bare(Path model, Path tokenizer, int maxLength) {
            return new Encoder(null, model, tokenizer, maxLength);
        }

        Path modelFile() {
            return bundle != null ? bundle.resolve(BundleManifest.MODEL_FILE) : model;
        }

        Path tokenizerFile() {
            return bundle != null ? bundle.resolve(BundleManifest.TOKENIZER_FILE) : tokenizer;
        }

        int resolvedMaxLength() {
            return bundle != null ? ModelBundle.load(bundle).manifest().maxLength() : maxLength;
        }
    }

    private final Encoder encoder;
    private final TrainingData data;
    private final Path out;
    private final String name;
    private final String version;
    private String description = "";
    private String encoderSource = "";
    private List<String> labels = List.of();
    private HeadTrainer.Config trainer = HeadTrainer.Config.defaults();
    private List<String> parityTexts = ParityRecorder.defaultTexts();
    private String parityVariant = "fp32";
    private double parityTolerance = 1e-4;
    /** The probabilities' tolerance when it differs from h_0's: one inherited from the bundle a head is added to. */
    private double parityProbabilityTolerance = 1e-4;
    private boolean parityGiven;
    private Path heldOutFile;
    private Path embeddingCache;
    private Path committedHead;
    private Path saveHead;
    private boolean force;
    private List<TextView> trainViews = List.of();
    private TextStrategy text = TextStrategy.TRUNCATE;
    private String addHead;
    /** The bundle {@link #addHead} is added to, loaded (its checksums verified) once by {@link #build}. */
    private ModelBundle addTarget;
    private PrintStream progress = System.out;

    public HeadBundleBuilder(Encoder encoder, TrainingData data, Path out, String name, String version) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.data = Objects.requireNonNull(data, "data");
        this.out = Objects.requireNonNull(out, "out");
        this.name = Objects.requireNonNull(name, "name");
        this.version = Objects.requireNonNull(version, "version");
    }

    public HeadBundleBuilder optDescription(String description) {
        this.description = description;
        return this;
    }

    /** Where the encoder came from, recorded in provenance (default: the encoder bundle's id). */
    public HeadBundleBuilder optEncoderSource(String encoderSource) {
        this.encoderSource = encoderSource;
        return this;
    }

    /** Label names in id order (default: the sorted distinct labels of the data). */
    public HeadBundleBuilder optLabels(List<String> labels) {
        this.labels = List.copyOf(labels);
        return this;
    }

    public HeadBundleBuilder optTrainer(HeadTrainer.Config trainer) {
        this.trainer = trainer;
        return this;
    }

    /** The parity.json texts, the encoder's precision ({@code fp32}, {@code int8}, {@code fp16}) and the tolerance. */
    public HeadBundleBuilder optParity(List<String> texts, String variant, double tolerance) {
        if (!List.of("fp32", "int8", "fp16").contains(variant)) {
            throw new IllegalArgumentException("the parity variant must be one of: fp32, int8, fp16; got '" + variant
                    + "'");
        }
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("the parity tolerance must be > 0, got " + tolerance);
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("parity needs at least one text");
        }
        this.parityTexts = List.copyOf(texts);
        this.parityVariant = variant;
        this.parityTolerance = tolerance;
        this.parityProbabilityTolerance = tolerance;
        this.parityGiven = true;
        return this;
    }

    /** Also write the held-out examples (id, text, label) to this .jsonl.gz file: texts the head never saw. */
    public HeadBundleBuilder optHeldOutFile(Path file) {
        this.heldOutFile = file;
        return this;
    }

    /** Keep the data's [CLS] embeddings here, keyed by model, tokenizer, max length and data, for retraining. */
    public HeadBundleBuilder optEmbeddingCache(Path dir) {
        this.embeddingCache = dir;
        return this;
    }

    /**
     * Assemble the bundle from the head kept in {@code dir} ({@link CommittedHead}) instead of training
     * one: refused unless it was trained from these very inputs (its fingerprint), so it is exactly
     * what training would make here. Embeds nothing; the held-out file is rebuilt from the split.
     */
    public HeadBundleBuilder optCommittedHead(Path dir) {
        this.committedHead = dir;
        return this;
    }

    /** After training, also copy the new head ({@link CommittedHead#FILES}) to {@code dir}, to be committed. */
    public HeadBundleBuilder optSaveHead(Path dir) {
        this.saveHead = dir;
        return this;
    }

    /**
     * Also train on these views of each training example ({@link TextView}, e.g. its short form and its subject),
     * with its label; the split and the cross-validation stay by example. The data must have views.
     */
    public HeadBundleBuilder optTrainViews(List<TextView> views) {
        if (views.contains(TextView.FULL)) {
            throw new IllegalArgumentException("the full view is what is trained on anyway; train views are: short, "
                    + "subject");
        }
        this.trainViews = List.copyOf(views);
        return this;
    }

    /**
     * How the encoder reads texts longer than its max length, for the embeddings the head is trained on and in the
     * bundle written: truncated (the default) or in chunks whose h_0 are pooled.
     */
    public HeadBundleBuilder optText(TextStrategy text) {
        this.text = Objects.requireNonNull(text, "text");
        return this;
    }

    /**
     * Keep the encoder bundle's heads and add the trained one after them as head {@code head}: the bundle written is a
     * new version of the same model whose one encoder pass serves every head. Its text strategy is the bundle's.
     */
    public HeadBundleBuilder optAddTo(String head) {
        ClassifierHead.requireName(head);
        this.addHead = head;
        return this;
    }

    /** Rebuild even when the bundle in {@code out} was made from the same inputs. */
    public HeadBundleBuilder optForce(boolean force) {
        this.force = force;
        return this;
    }

    public HeadBundleBuilder optProgress(PrintStream progress) {
        this.progress = progress;
        return this;
    }

    /**
     * Builds the bundle, unless the one in {@code out} is up to date: assembled from the committed
     * head when one is given, else trained (and the head saved when asked).
     */
    public Result build() throws IOException {
        if (committedHead != null && saveHead != null) {
            throw new IllegalArgumentException("a head is either assembled from a committed one or trained and saved, "
                    + "not both");
        }
        if (addHead != null) {
            if (encoder.bundle() == null || committedHead != null || saveHead != null) {
                throw new IllegalArgumentException("adding a head needs the bundle to add it to, and trains it: not "
                        + "with bare encoder files, a committed head or a saved one");
            }
            addTarget = ModelBundle.load(encoder.bundle());
            BundleManifest target = addTarget.manifest();
            if (target.heads().stream().anyMatch(h -> h.name().equals(addHead))) {
                throw new IllegalArgumentException(encoder.bundle() + " already has a head named '" + addHead
                        + "'; its heads: " + target.heads().stream().map(ClassifierHead::name).toList());
            }
            if (target.name().equals(name) && target.version().equals(version)) {
                throw new IllegalArgumentException("the bundle with the added head is a new version of "
                        + target.id() + ": give it another version");
            }
            // The new head must see h_0 exactly as the stream computes it for this bundle, whatever optText said.
            text = target.text();
            if (!parityGiven) {
                // The same texts, precision and tolerances as the bundle's own check (an int8 encoder's are wider).
                ParityFile.of(addTarget).ifPresent(p -> {
                    parityTexts = p.texts().stream().map(ParityFile.Entry::text).toList();
                    parityVariant = p.variant();
                    parityTolerance = p.embeddingTolerance();
                    parityProbabilityTolerance = p.probabilityTolerance();
                });
            }
        }
        String fingerprint = fingerprint();
        Result result = committedHead != null ? assemble(fingerprint) : trainOrKeep(fingerprint);
        if (saveHead != null) {
            CommittedHead.save(out, saveHead);
            progress.println(name + ": saved the head to " + saveHead + " (commit it)");
        }
        return result;
    }

    private Result trainOrKeep(String fingerprint) throws IOException {
        boolean heldOutMissing = heldOutFile != null && !Files.isRegularFile(heldOutFile);
        if (!force && !heldOutMissing && upToDate(out, fingerprint)) {
            progress.println(out + ": up to date (same model, tokenizer, data and settings); use --force to rebuild");
            return Result.UP_TO_DATE;
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Path staging = Files.createTempDirectory(out.toAbsolutePath().getParent(), ".train-head-");
        try {
            train(stageEncoder(staging), fingerprint);
        } finally {
            deleteTree(staging);
        }
        progress.println(name + ": wrote bundle " + out.toAbsolutePath());
        return Result.WROTE;
    }

    /** The encoder files plus the committed head's files, checked, then put in place of {@code out}. */
    private Result assemble(String fingerprint) throws IOException {
        CommittedHead head = new CommittedHead(committedHead);
        head.requireTrainedFrom(fingerprint);
        boolean heldOutMissing = heldOutFile != null && !Files.isRegularFile(heldOutFile);
        if (!force && !heldOutMissing && head.isIn(out)) {
            progress.println(out + ": up to date with " + committedHead);
            return Result.UP_TO_DATE;
        }
        // A plain sibling directory (not a temp one: those are private to their owner), left over ones replaced.
        Path staging = out.toAbsolutePath().resolveSibling("." + out.getFileName() + ".assembling");
        if (Files.exists(staging)) {
            deleteTree(staging);
        }
        Files.createDirectories(staging);
        try {
            ModelBundle assembled = head.assembleInto(staging, encoder.modelFile(), encoder.tokenizerFile());
            if (heldOutFile != null) {
                writeHeldOut(assembled);
            }
            if (Files.exists(out)) {
                deleteTree(out);
            }
            Files.move(staging, out);
        } finally {
            if (Files.exists(staging)) {
                deleteTree(staging);
            }
        }
        progress.println(name + ": assembled bundle " + out.toAbsolutePath() + " from " + committedHead);
        return Result.ASSEMBLED;
    }

    /** The held-out texts, found from the split recorded in the bundle: only the tokenizer is needed. */
    private void writeHeldOut(ModelBundle bundle) throws IOException {
        List<LabeledText> usable;
        try (TextTokenizer tokenizer = TextTokenizer.load(bundle.tokenizerFile(), bundle.manifest().maxLength())) {
            usable = Embedder.usable(tokenizer::tokenize, data.read());
        }
        int[] indices = HeldOutSplit.indices(bundle, usable);
        HeldOutSplit.write(usable, indices, heldOutFile);
        progress.println(name + ": wrote " + indices.length + " held-out examples to " + heldOutFile);
    }

    /** Everything that decides the bundle: the files, the data and how it is read, and every setting. */
    private String fingerprint() {
        FingerprintBuilder f = new FingerprintBuilder().file(encoder.modelFile()).file(encoder.tokenizerFile())
                .file(data.file()).text(Integer.toString(encoder.resolvedMaxLength()))
                .text(HeadTrainer.ALGORITHM_VERSION).text(trainer.toJson().toString());
        for (String s : List.of(data.settings(), String.join(",", labels), name, version, description, encoderSource,
                "parity " + parityVariant + " " + parityTolerance + "\n" + String.join("\n", parityTexts),
                // An int8 encoder's h_0 depends on its batch-mates, so the embeddings depend on the run size.
                "encoder batch " + EncoderOptions.defaults().maxTextsPerRun())) {
            f.text(s);
        }
        if (!trainViews.isEmpty()) {
            f.text("train views " + trainViews);
        }
        if (text.chunked()) {
            f.text("text " + text.toJson());
        }
        if (addHead != null) {
            f.text("add head " + addHead + ", probabilities within " + parityProbabilityTolerance)
                    .file(encoder.bundle().resolve(BundleManifest.FILE_NAME));
        }
        return f.hex();
    }

    private boolean upToDate(Path out, String fingerprint) {
        if (!Files.isRegularFile(out.resolve(BundleManifest.FILE_NAME))) {
            return false;
        }
        try {
            JsonNode provenance = ModelBundle.load(out).manifest().provenance();
            // An added head's inputs are recorded with it; the bundle's own are those of the head it was made with.
            JsonNode recorded = (addHead == null ? provenance : provenance.path("heads").path(addHead))
                    .get(FINGERPRINT_FIELD);
            return recorded != null && recorded.asText().equals(fingerprint);
        } catch (BundleException e) {
            return false;
        }
    }

    private void train(ModelBundle encoderBundle, String fingerprint) throws IOException {
        List<LabeledText> examples = data.read();
        progress.printf("%s: %d labeled examples from %s%n", name, examples.size(), data.file());
        HeadTrainer.Result result;
        int skipped;
        try (InferenceEngine engine = InferenceEngine.open(encoderBundle, EncoderOptions.defaults())) {
            Embedder.Embedded embedded = embed(engine, examples, encoderBundle, "");
            skipped = embedded.skipped();
            result = new HeadTrainer(trainer).train(embedded.features(),
                    embedded.examples().stream().map(LabeledText::label).toList(), labels,
                    viewRows(engine, embedded.examples(), encoderBundle));
            if (heldOutFile != null) {
                HeldOutSplit.write(embedded.examples(), result.heldOutIndices(), heldOutFile);
                progress.println(name + ": wrote " + result.heldOutIndices().length + " held-out examples to "
                        + heldOutFile);
            }
        }
        progress.printf("%s: held-out evaluation (lambda %s, %d train / %d test examples)%n%s", name, result.lambda(),
                result.report().get("train_examples").asInt(), result.report().get("test_examples").asInt(),
                result.heldOut().format());
        ObjectNode provenance = JsonNodeFactory.instance.objectNode();
        provenance.put("encoder", encoderSource.isEmpty() ? encoderBundle.manifest().id() : encoderSource);
        provenance.put("training_data", data.file().getFileName().toString());
        provenance.put("training_data_sha256", Sha256.of(data.file()));
        provenance.put("training_data_format", data.format());
        provenance.put("examples", examples.size());
        provenance.put("skipped_empty_examples", skipped);
        if (!trainViews.isEmpty()) {
            provenance.put("train_views", String.join(",", trainViews.stream().map(TextView::id).toList()));
        }
        provenance.put("created", Instant.now().toString());
        provenance.put(FINGERPRINT_FIELD, fingerprint);
        ModelBundle written = addHead != null
                ? HeadBundleWriter.addHead(addTarget, out, name, version, description,
                        new ClassifierHead(addHead, result.labels(), result.head()), provenance, result.report())
                : HeadBundleWriter.write(encoderBundle, out, name, version, description, result.labels(),
                        result.head(), provenance, result.report());
        ParityRecorder.addTo(written, parityTexts, parityVariant, parityTolerance, parityProbabilityTolerance);
        progress.printf("%s: recorded parity.json (%s, tolerance %s); check it with 'clstream verify-bundle %s'%n",
                name, parityVariant, parityTolerance, out);
    }

    /** Per example, its embedded {@link #trainViews} (a view the tokenizer refuses, such as an empty subject, left out). */
    private float[][][] viewRows(InferenceEngine engine, List<LabeledText> examples, ModelBundle encoderBundle)
            throws IOException {
        if (trainViews.isEmpty()) {
            return new float[examples.size()][][];
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            if (index.put(examples.get(i).id(), i) != null) {
                throw new IllegalArgumentException("training on views needs unique example ids; '"
                        + examples.get(i).id() + "' is there twice");
            }
        }
        List<List<float[]>> rows = new ArrayList<>();
        examples.forEach(e -> rows.add(new ArrayList<>()));
        for (TextView view : trainViews) {
            List<LabeledText> texts = data.views().read(view).stream().filter(t -> index.containsKey(t.id())).toList();
            progress.printf("%s: embedding the %s view (%s)%n", name, view.id(), view.description());
            Embedder.Embedded e = embed(engine, texts, encoderBundle, "view " + view.id());
            for (int i = 0; i < e.examples().size(); i++) {
                rows.get(index.get(e.examples().get(i).id())).add(e.features()[i]);
            }
        }
        return rows.stream().map(r -> r.toArray(float[][]::new)).toArray(float[][][]::new);
    }

    /** @param what which texts of the data: "" for the examples themselves, else the view (part of the cache key) */
    private Embedder.Embedded embed(InferenceEngine engine, List<LabeledText> examples, ModelBundle encoderBundle,
                                    String what) throws IOException {
        if (embeddingCache == null) {
            return Embedder.embed(engine, examples, progress);
        }
        // The run size is part of the key: a dynamically quantised (int8) encoder's h_0 depends on its batch-mates.
        FingerprintBuilder keyBuilder = new FingerprintBuilder().file(encoderBundle.modelFile())
                .file(encoderBundle.tokenizerFile()).file(data.file()).text(data.settings())
                .text(Integer.toString(engine.manifest().maxLength()))
                .text("batch " + engine.options().maxTextsPerRun());
        if (engine.manifest().text().chunked()) {
            keyBuilder.text("text " + engine.manifest().text().toJson());
        }
        String key = (what.isEmpty() ? keyBuilder : keyBuilder.text(what)).hex();
        EmbeddingCache cache = new EmbeddingCache(embeddingCache, key);
        List<LabeledText> usable = Embedder.usable(engine::tokenize, examples);
        Optional<Embedder.Embedded> cached = cache.load(usable, examples.size() - usable.size());
        if (cached.isPresent()) {
            progress.println(name + ": using cached embeddings from " + embeddingCache);
            return cached.get();
        }
        Embedder.Embedded fresh = Embedder.embedUsable(engine, usable, examples.size(), progress);
        cache.store(fresh);
        return fresh;
    }

    /**
     * An encoder-only bundle to embed with: the given one, or the bare files staged in {@code staging},
     * so that a failed run leaves whatever {@code out} held before untouched.
     */
    private ModelBundle stageEncoder(Path staging) throws IOException {
        if (encoder.bundle() != null) {
            // Only its h_0 is used: a head of its own (graph logits, which chunks refuse) is left out.
            ModelBundle loaded = addTarget != null ? addTarget : ModelBundle.load(encoder.bundle());
            BundleManifest m = loaded.manifest();
            BundleManifest encoderOnly = new BundleManifest(m.formatVersion(), m.name(), m.version(), m.description(),
                    m.maxLength(), List.of(), Optional.empty(), m.files(), m.provenance(), m.evaluation(), text);
            return new ModelBundle(loaded.directory(), encoderOnly);
        }
        Files.copy(encoder.model(), staging.resolve(BundleManifest.MODEL_FILE), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(encoder.tokenizer(), staging.resolve(BundleManifest.TOKENIZER_FILE),
                StandardCopyOption.REPLACE_EXISTING);
        BundleManifest encoderOnly = new BundleManifest(BundleManifest.FORMAT_VERSION, name, version, description,
                encoder.maxLength(), List.of(), Optional.empty(), Map.of(), null, null, text);
        return ModelBundle.write(staging, encoderOnly);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
