package dev.clstream.inference;

import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.LogitsSource;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.event.DeadLetterReason;
import dev.clstream.tokenize.InvalidTextException;
import dev.clstream.tokenize.TextTokenizer;
import dev.clstream.tokenize.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded bundle ready to serve: tokenizer, encoder and classification head, checked against each
 * other at open (hidden size, label count, the graph's real tensors). {@link #predict} takes a
 * window of tokenised texts, runs them in length-sorted encoder runs ({@link RunPlanner}), several
 * at once when the options allow, and returns results in the order given.
 */
public final class InferenceEngine implements AutoCloseable {

    private static final String PROBE_TEXT = "clstream probe";

    private final ModelBundle bundle;
    private final EncoderOptions options;
    private final TextTokenizer tokenizer;
    private final Encoder encoder;
    private final ExecutorService runners;
    private final AtomicBoolean closed = new AtomicBoolean();

    private InferenceEngine(ModelBundle bundle, EncoderOptions options, TextTokenizer tokenizer, Encoder encoder) {
        this.bundle = bundle;
        this.options = options;
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.runners = options.concurrency() > 1 ? Executors.newFixedThreadPool(options.concurrency(), runnerThreads())
                : null;
    }

    /** Opens a bundle loaded by {@link ModelBundle#load}; every mismatch fails here with a {@link BundleException}. */
    public static InferenceEngine open(ModelBundle bundle, EncoderOptions options) {
        BundleManifest m = bundle.manifest();
        TextTokenizer tokenizer = TextTokenizer.load(bundle.tokenizerFile(), m.maxLength());
        try {
            Optional<String> graphLogits = m.logits()
                    .filter(LogitsSource.GraphOutput.class::isInstance)
                    .map(l -> ((LogitsSource.GraphOutput) l).outputName());
            Encoder encoder = Encoder.open(bundle.modelFile(), options, graphLogits, m.labels().size(),
                    tokenizer.padId(), probe(tokenizer, bundle));
            try {
                checkHead(bundle, encoder.hiddenSize());
                return new InferenceEngine(bundle, options, tokenizer, encoder);
            } catch (RuntimeException e) {
                encoder.close();
                throw e;
            }
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    private static TokenizedText probe(TextTokenizer tokenizer, ModelBundle bundle) {
        try {
            return tokenizer.tokenize(PROBE_TEXT);
        } catch (InvalidTextException e) {
            throw new BundleException(bundle.tokenizerFile() + ": the tokenizer leaves nothing of the probe text '"
                    + PROBE_TEXT + "': " + e.getMessage(), e);
        }
    }

    private static void checkHead(ModelBundle bundle, int hiddenSize) {
        if (bundle.manifest().logits().orElse(null) instanceof LogitsSource.LinearHead head
                && head.hiddenSize() != hiddenSize) {
            throw new BundleException(bundle.directory().resolve(BundleManifest.FILE_NAME) + ": logits.weights has "
                    + head.hiddenSize() + " columns but the encoder's hidden size (last dimension of "
                    + ModelSignature.HIDDEN_OUTPUT + ") is " + hiddenSize);
        }
    }

    public ModelBundle bundle() {
        return bundle;
    }

    public BundleManifest manifest() {
        return bundle.manifest();
    }

    public EncoderOptions options() {
        return options;
    }

    public int hiddenSize() {
        return encoder.hiddenSize();
    }

    /** Tokenises one text for {@link #predict}; refuses texts with nothing to classify. */
    public TokenizedText tokenize(String text) {
        return tokenizer.tokenize(text);
    }

    /**
     * Encodes and classifies a window of texts. The whole call fails with {@link InferenceException}
     * if any run fails; {@link #predictIsolating} finds the text at fault instead.
     */
    public List<Prediction> predict(List<TokenizedText> texts) {
        return run(texts, plan(texts));
    }

    private List<Prediction> run(List<TokenizedText> texts, RunPlan plan) {
        if (closed.get()) {
            throw new IllegalStateException("the inference engine is closed");
        }
        Prediction[] out = new Prediction[texts.size()];
        if (runners == null || plan.runs().size() == 1) {
            for (int[] run : plan.runs()) {
                runOne(texts, run, out);
            }
        } else {
            List<Future<?>> running = new ArrayList<>(plan.runs().size());
            try {
                for (int[] run : plan.runs()) {
                    running.add(runners.submit(() -> runOne(texts, run, out)));
                }
            } catch (java.util.concurrent.RejectedExecutionException e) {
                running.forEach(f -> f.cancel(true));
                throw new IllegalStateException("the inference engine is closing", e);
            }
            awaitAll(running);
        }
        return Arrays.asList(out);
    }

    /** The encoder runs {@link #predict} makes for these texts, in the order it starts them. */
    public RunPlan plan(List<TokenizedText> texts) {
        int[] lengths = texts.stream().mapToInt(TokenizedText::length).toArray();
        return RunPlanner.plan(lengths, options.maxTextsPerRun(), options.maxPaddedTokensPerRun(),
                runners == null ? 1 : options.concurrency());
    }

    /** False once {@link #close} has begun: the model is no longer there to serve. */
    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Like {@link #predict}, but a failing run is split in halves until the failing texts are
     * alone, so one bad input costs only its own result. Only {@link InferenceException}s count as a
     * text's failure; a closed engine throws {@link IllegalStateException} for the whole call. The
     * run plan is made once per try, and its token grid is reported with the outcomes.
     */
    public Predictions predictIsolating(List<TokenizedText> texts) {
        List<Outcome> out = new ArrayList<>(texts.size());
        long grid = isolate(texts, out);
        return new Predictions(out, grid);
    }

    private long isolate(List<TokenizedText> texts, List<Outcome> out) {
        RunPlan plan = plan(texts);
        try {
            run(texts, plan).forEach(p -> out.add(new Outcome.Success(p)));
            return plan.paddedTokens();
        } catch (InferenceException e) {
            if (texts.size() == 1) {
                out.add(new Outcome.Failure(DeadLetterReason.INFERENCE_FAILED, e.getMessage()));
                return plan.paddedTokens();
            }
            int half = texts.size() / 2;
            return plan.paddedTokens() + isolate(texts.subList(0, half), out)
                    + isolate(texts.subList(half, texts.size()), out);
        }
    }

    /** Tokenises and classifies each text; every text gets an outcome, in order. */
    public List<Outcome> classify(List<String> texts) {
        Outcome[] out = new Outcome[texts.size()];
        List<TokenizedText> valid = new ArrayList<>();
        List<Integer> where = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            try {
                valid.add(tokenize(texts.get(i)));
                where.add(i);
            } catch (InvalidTextException e) {
                out[i] = new Outcome.Failure(e.reason(), e.getMessage());
            }
        }
        List<Outcome> predicted = predictIsolating(valid).outcomes();
        for (int j = 0; j < predicted.size(); j++) {
            out[where.get(j)] = predicted.get(j);
        }
        return Arrays.asList(out);
    }

    private void runOne(List<TokenizedText> texts, int[] indices, Prediction[] out) {
        List<TokenizedText> batch = new ArrayList<>(indices.length);
        for (int i : indices) {
            batch.add(texts.get(i));
        }
        EncodedBatch encoded = encoder.encode(batch);
        for (int r = 0; r < indices.length; r++) {
            out[indices[r]] = Prediction.of(batch.get(r), encoded.clsEmbeddings()[r], classify(encoded, r));
        }
    }

    private Classification classify(EncodedBatch encoded, int row) {
        Optional<LogitsSource> source = manifest().logits();
        if (source.isEmpty()) {
            return null;
        }
        float[] logits = source.get() instanceof LogitsSource.LinearHead head
                ? head.logits(encoded.clsEmbeddings()[row])
                : encoded.graphLogits()[row];
        try {
            return Classification.fromLogits(manifest().labels(), logits);
        } catch (ArithmeticException e) {
            throw new InferenceException("the model produced unusable logits: " + e.getMessage(), e);
        }
    }

    private static void awaitAll(List<Future<?>> running) {
        RuntimeException failure = null;
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re
                            : new InferenceException("encoder run failed: " + e.getCause(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.forEach(r -> r.cancel(true));
                throw new InferenceException("interrupted while waiting for the encoder", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static ThreadFactory runnerThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "clstream-encoder-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (runners != null) {
                runners.shutdown();
                if (!runners.awaitTermination(30, TimeUnit.SECONDS)) {
                    runners.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                encoder.close();
            } finally {
                tokenizer.close();
            }
        }
    }
}
