package dev.clstream.inference;

import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ClassifierHead;
import dev.clstream.bundle.LogitsSource;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.tokenize.InvalidTextException;
import dev.clstream.tokenize.TextTokenizer;
import dev.clstream.tokenize.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded bundle ready to serve: tokenizer, encoder and classification head, checked against each
 * other at open (hidden size, label count, the graph's real tensors). {@link #predict} takes a
 * window of tokenised texts, runs them in length-sorted encoder runs ({@link RunPlanner}), several
 * at once when the options allow, and returns results in the order given;
 * {@link #predictIsolating} also retries, finds the text at fault, and keeps to a time limit.
 */
public final class InferenceEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceEngine.class);
    private static final String PROBE_TEXT = "clstream probe";
    /** How long close() waits for runs in flight before it leaves their native memory alone. */
    private static final long CLOSE_WAIT_S = 30;

    private final ModelBundle bundle;
    private final EncoderOptions options;
    private final TextTokenizer tokenizer;
    private final Encoder encoder;
    private final TokenizedText probe;
    private final RunExecutor executor;
    private final PredictionCache cache;
    private final AtomicBoolean closed = new AtomicBoolean();
    private double probeNanosPerToken = Double.NaN;

    private InferenceEngine(ModelBundle bundle, EncoderOptions options, TextTokenizer tokenizer, Encoder encoder,
                            TokenizedText probe) {
        this.bundle = bundle;
        this.options = options;
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.probe = probe;
        this.executor = new RunExecutor(options.concurrency(), options.lowPriority());
        // One per engine: an engine is one model version, and a result is only that version's.
        this.cache = new PredictionCache(options.cacheMaxBytes());
    }

    /** Opens a bundle loaded by {@link ModelBundle#load}; every mismatch fails here with a {@link BundleException}. */
    public static InferenceEngine open(ModelBundle bundle, EncoderOptions options) {
        BundleManifest m = bundle.manifest();
        TextTokenizer tokenizer = TextTokenizer.load(bundle.tokenizerFile(), m.maxLength(), m.text());
        try {
            Optional<ClassifierHead> graphHead = m.graphHead();
            TokenizedText probe = probe(tokenizer, bundle);
            Encoder encoder = Encoder.open(bundle.modelFile(), options,
                    graphHead.map(h -> ((LogitsSource.GraphOutput) h.logits()).outputName()),
                    graphHead.map(h -> h.labels().size()).orElse(0), tokenizer.padId(), probe);
            InferenceEngine engine;
            try {
                checkHeads(bundle, encoder.hiddenSize());
                engine = new InferenceEngine(bundle, options, tokenizer, encoder, probe);
            } catch (RuntimeException e) {
                encoder.close();
                throw e;
            }
            try {
                engine.timeProbe();
                return engine;
            } catch (RuntimeException e) {
                engine.close();
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

    private static void checkHeads(ModelBundle bundle, int hiddenSize) {
        for (ClassifierHead h : bundle.manifest().heads()) {
            if (h.logits() instanceof LogitsSource.LinearHead head && head.hiddenSize() != hiddenSize) {
                throw new BundleException(bundle.directory().resolve(BundleManifest.FILE_NAME) + ": "
                        + (bundle.manifest().namedHeads().isEmpty() ? "" : "head '" + h.name() + "': ")
                        + "logits.weights has " + head.hiddenSize()
                        + " columns but the encoder's hidden size (last dimension of " + ModelSignature.HIDDEN_OUTPUT
                        + ") is " + hiddenSize);
            }
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
        return run(texts, plan(texts), Long.MAX_VALUE);
    }

    /**
     * The encoder runs {@link #predict} makes for these texts, in the order it starts them. A run's rows are
     * windows: a text read in chunks is one row per window, so batching and its limits count windows.
     */
    public RunPlan plan(List<TokenizedText> texts) {
        int[] lengths = windows(texts).stream().mapToInt(TokenizedText.Window::length).toArray();
        return RunPlanner.plan(lengths, options.maxTextsPerRun(), options.maxPaddedTokensPerRun(), options.concurrency());
    }

    private static List<TokenizedText.Window> windows(List<TokenizedText> texts) {
        List<TokenizedText.Window> out = new ArrayList<>(texts.size());
        for (TokenizedText t : texts) {
            out.addAll(t.windows());
        }
        return out;
    }

    /** Runs {@code plan} over {@code texts} by {@code deadlineNanos} ({@link System#nanoTime}; MAX_VALUE: none). */
    List<Prediction> run(List<TokenizedText> texts, RunPlan plan, long deadlineNanos) {
        if (closed.get()) {
            throw new IllegalStateException("the inference engine is closed");
        }
        List<TokenizedText.Window> windows = windows(texts);
        float[][] h0 = new float[windows.size()][];
        float[][] graphLogits = new float[windows.size()][];
        List<Runnable> runs = new ArrayList<>(plan.runs().size());
        for (int[] run : plan.runs()) {
            runs.add(() -> runOne(windows, run, h0, graphLogits));
        }
        executor.runAll(runs, deadlineNanos);
        List<Prediction> out = new ArrayList<>(texts.size());
        int w = 0;
        for (TokenizedText text : texts) {
            int n = text.windowCount();
            // A text in one window is that window's h_0 as it is; several are pooled in window order, so the
            // result does not depend on which runs the windows went to, or on the other texts.
            float[] embedding = n == 1 ? h0[w] : Vectors.mean(h0, w, n);
            out.add(Prediction.of(text, embedding, classify(embedding, n == 1 ? graphLogits[w] : null)));
            w += n;
        }
        return out;
    }

    /** Like {@link #predictIsolating(List, long)}, without a time limit. */
    public Predictions predictIsolating(List<TokenizedText> texts) {
        return predictIsolating(texts, Long.MAX_VALUE);
    }

    /**
     * Like {@link #predict}, but what fails is retried, then narrowed down to the texts at fault
     * ({@link FaultIsolation}), so one bad input costs only its own result; the whole call keeps to
     * {@code deadlineNanos}. Texts seen recently are answered from the {@link PredictionCache} (when
     * {@link EncoderOptions#cacheMaxBytes} allows one) with the results they had then.
     *
     * @throws EncoderStalledException the time limit passed, or the encoder fails even on its probe
     *         text: the encoder is at fault, no text is
     * @throws IllegalStateException the engine is closed
     */
    public Predictions predictIsolating(List<TokenizedText> texts, long deadlineNanos) {
        return cache.predict(texts, misses -> new FaultIsolation(this, deadlineNanos).predict(misses));
    }

    /** Whether {@link #predictIsolating} would answer {@code text} without the encoder now. */
    public boolean cached(TokenizedText text) {
        return cache.contains(text);
    }

    /** This engine's cache of repeated texts, for its meters. */
    public PredictionCache cache() {
        return cache;
    }

    /**
     * Runs the probe text twice (the first run warms up), timing the second: a first cost per token.
     * Encoder.open has already checked the graph on this text, so a failure here is a passing fault
     * (a device out of memory for a moment): the estimate stays unknown and the first window sets it.
     */
    private void timeProbe() {
        try {
            predict(List.of(probe));
            long start = System.nanoTime();
            predict(List.of(probe));
            probeNanosPerToken = (double) (System.nanoTime() - start) / probe.length();
        } catch (InferenceException e) {
            probeNanosPerToken = Double.NaN;
        }
    }

    /**
     * What a token cost the encoder when the probe text ran at open, in nanoseconds: an estimate to
     * start from until real windows have been timed (it overstates, since a short text carries a
     * whole run's fixed cost); NaN when the probe could not be timed.
     */
    public double probeNanosPerToken() {
        return probeNanosPerToken;
    }

    /** Whether the encoder runs the probe text it ran at open (a known good text). */
    boolean runsProbe(long deadlineNanos) {
        try {
            run(List.of(probe), plan(List.of(probe)), deadlineNanos);
            return true;
        } catch (InferenceException e) {
            return false;
        }
    }

    /** How long the oldest encoder run in flight has been running, in ms; 0 when none is. */
    public long oldestRunMillis() {
        return executor.oldestRunNanos() / 1_000_000;
    }

    /** False once {@link #close} has begun: the model is no longer there to serve. */
    public boolean isOpen() {
        return !closed.get();
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

    private void runOne(List<TokenizedText.Window> windows, int[] indices, float[][] h0, float[][] graphLogits) {
        List<TokenizedText> batch = new ArrayList<>(indices.length);
        for (int i : indices) {
            batch.add(windows.get(i).asText());
        }
        options.interceptor().beforeRun(batch);
        EncodedBatch encoded = encoder.encode(batch);
        for (int r = 0; r < indices.length; r++) {
            h0[indices[r]] = encoded.clsEmbeddings()[r];
            graphLogits[indices[r]] = encoded.graphLogits() == null ? null : encoded.graphLogits()[r];
        }
    }

    /**
     * Every head on a text's (pooled) h_0, or on the graph's logits of its one window, in the bundle's head order: a
     * bundle that reads in chunks has linear heads only ({@link BundleManifest} refuses graph logits with chunks).
     */
    private List<Classification> classify(float[] embedding, float[] windowGraphLogits) {
        List<ClassifierHead> heads = manifest().heads();
        List<Classification> out = new ArrayList<>(heads.size());
        for (ClassifierHead h : heads) {
            float[] logits = h.logits() instanceof LogitsSource.LinearHead head
                    ? head.logits(embedding)
                    : windowGraphLogits;
            try {
                out.add(Classification.fromLogits(h.labels(), logits));
            } catch (ArithmeticException e) {
                throw new InferenceException("the model produced unusable logits"
                        + (manifest().namedHeads().isEmpty() ? "" : " for head '" + h.name() + "'") + ": "
                        + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Stops taking runs, waits for those in flight, then frees the native session and tokenizer. A
     * run still in native code after the wait (a stalled device) keeps them: freeing memory a native
     * call may still use would crash the JVM, while the process is ending anyway.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean drained;
        try {
            drained = executor.shutdown(CLOSE_WAIT_S);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        if (!drained) {
            LOG.warn("an encoder run is still in native code after {} s; its session is left open, not freed under it",
                    CLOSE_WAIT_S);
            executor.close();
            return;
        }
        try {
            encoder.close();
        } finally {
            tokenizer.close();
        }
    }
}
