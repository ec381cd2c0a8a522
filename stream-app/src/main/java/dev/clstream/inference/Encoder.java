package dev.clstream.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.clstream.bundle.BundleException;
import dev.clstream.tokenize.TokenizedText;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One ONNX Runtime session over a BERT-style encoder graph, shared by every caller (a session may
 * run from several threads at once). A batch is padded to its own longest text, never to the max
 * length; the outputs are written into pinned direct buffers and only each text's [CLS] row h_0
 * (and the graph's logits, when used) is copied out.
 */
public final class Encoder implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelSignature signature;
    private final long padId;
    private final int hiddenSize;
    private final int logitsWidth;
    private final ConcurrentLinkedDeque<Workspace> workspaces = new ConcurrentLinkedDeque<>();
    /**
     * Runs hold the read side, close() the write side: closing waits for the runs in flight, because
     * freeing the native session under a running batch crashes the JVM.
     */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private Encoder(OrtEnvironment env, OrtSession session, ModelSignature signature, long padId, OutputWidths widths) {
        this.env = env;
        this.session = session;
        this.signature = signature;
        this.padId = padId;
        this.hiddenSize = widths.hidden();
        this.logitsWidth = widths.logits();
    }

    /**
     * Opens {@code model} and checks its inputs and outputs; then runs {@code probe} through it, which
     * gives the real hidden size and logits width (graphs often leave them symbolic) and makes a
     * model that loads but cannot run fail here rather than on the first event.
     *
     * @param logitsOutput the graph output holding class logits, if the bundle takes them from the graph
     */
    public static Encoder open(Path model, EncoderOptions options, Optional<String> logitsOutput, int labelCount,
                               long padId, TokenizedText probe) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtShutdownHook.disarm();
        OrtSession session = createSession(env, model, options);
        try {
            ModelSignature signature = ModelSignature.inspect(session, model.toString(), logitsOutput, labelCount);
            OutputWidths widths = OutputWidths.probe(env, session, signature, probe, labelCount, model.toString());
            Encoder encoder = new Encoder(env, session, signature, padId, widths);
            encoder.encode(List.of(probe));
            return encoder;
        } catch (RuntimeException e) {
            closeQuietly(session, e);
            throw e;
        }
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public boolean takesTokenTypeIds() {
        return signature.takesTokenTypeIds();
    }

    /** Encodes one batch; rows come back in the batch's order. Thread-safe. */
    public EncodedBatch encode(List<TokenizedText> batch) {
        for (TokenizedText t : batch) {
            if (t.windowCount() != 1) {
                // The engine gives each window its own row; a row holds one window of max length.
                throw new IllegalArgumentException("an encoder row is one window; got a text of " + t.windowCount());
            }
        }
        lifecycle.readLock().lock();
        try {
            if (closed) {
                // Not an InferenceException: a closed encoder says nothing about the texts, which must not be
                // dead-lettered for it.
                throw new IllegalStateException("the encoder is closed");
            }
            return encodeOpen(batch);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private EncodedBatch encodeOpen(List<TokenizedText> batch) {
        if (batch.isEmpty()) {
            return new EncodedBatch(new float[0][], signature.logitsOutput().isPresent() ? new float[0][] : null);
        }
        int rows = batch.size();
        int cols = 0;
        for (TokenizedText t : batch) {
            cols = Math.max(cols, t.length());
        }
        Workspace ws = workspaces.poll();
        if (ws == null) {
            ws = new Workspace();
        }
        try {
            return run(batch, rows, cols, ws);
        } catch (OrtException e) {
            throw new InferenceException("encoder run failed for a batch of " + rows + " texts of up to " + cols
                    + " tokens: " + e.getMessage(), e);
        } finally {
            workspaces.push(ws);
        }
    }

    private EncodedBatch run(List<TokenizedText> batch, int rows, int cols, Workspace ws) throws OrtException {
        long[] inShape = {rows, cols};
        LongBuffer ids = ws.ids(rows * cols);
        LongBuffer mask = ws.mask(rows * cols);
        LongBuffer types = signature.takesTokenTypeIds() ? ws.types(rows * cols) : null;
        for (int r = 0; r < rows; r++) {
            TokenizedText t = batch.get(r);
            int base = r * cols;
            int n = t.length();
            for (int c = 0; c < cols; c++) {
                boolean real = c < n;
                ids.put(base + c, real ? t.ids()[c] : padId);
                mask.put(base + c, real ? 1L : 0L);
                if (types != null) {
                    types.put(base + c, real ? t.typeIds()[c] : 0L);
                }
            }
        }
        FloatBuffer hidden = ws.hidden(rows * cols * hiddenSize);
        Optional<String> logitsName = signature.logitsOutput();
        try (OnnxTensor idsT = OnnxTensor.createTensor(env, ids, inShape);
             OnnxTensor maskT = OnnxTensor.createTensor(env, mask, inShape);
             OnnxTensor typesT = types == null ? null : OnnxTensor.createTensor(env, types, inShape);
             OnnxTensor hiddenT = OnnxTensor.createTensor(env, hidden, new long[] {rows, cols, hiddenSize});
             OnnxTensor logitsT = logitsName.isEmpty() ? null : pinnedLogits(ws, rows)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(ModelSignature.INPUT_IDS, idsT);
            inputs.put(ModelSignature.ATTENTION_MASK, maskT);
            if (typesT != null) {
                inputs.put(ModelSignature.TOKEN_TYPE_IDS, typesT);
            }
            Map<String, OnnxTensor> outputs = new HashMap<>();
            outputs.put(ModelSignature.HIDDEN_OUTPUT, hiddenT);
            if (logitsT != null) {
                outputs.put(logitsName.get(), logitsT);
            }
            session.run(inputs, outputs).close();
        }
        float[][] cls = new float[rows][hiddenSize];
        for (int r = 0; r < rows; r++) {
            hidden.get(r * cols * hiddenSize, cls[r]);
        }
        return new EncodedBatch(cls, logitsName.isEmpty() ? null : copyRows(ws.logits(rows * logitsWidth), rows, logitsWidth));
    }

    private OnnxTensor pinnedLogits(Workspace ws, int rows) throws OrtException {
        return OnnxTensor.createTensor(env, ws.logits(rows * logitsWidth), new long[] {rows, logitsWidth});
    }

    private static float[][] copyRows(FloatBuffer buf, int rows, int width) {
        float[][] out = new float[rows][width];
        for (int r = 0; r < rows; r++) {
            buf.get(r * width, out[r]);
        }
        return out;
    }

    private static OrtSession createSession(OrtEnvironment env, Path model, EncoderOptions options) {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setOptimizationLevel(options.optimization());
            if (options.provider().kind() == ExecutionProvider.Kind.CUDA) {
                addCuda(so, options.provider());
            }
            return env.createSession(model.toString(), so);
        } catch (OrtException e) {
            throw new BundleException(model + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    private static void addCuda(OrtSession.SessionOptions so, ExecutionProvider provider) {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            throw new InferenceException("execution provider " + provider + " was asked for, but this ONNX Runtime "
                    + "build has no CUDA provider (available: " + OrtEnvironment.getAvailableProviders() + "). "
                    + "Build with 'mvn -Pgpu package' to use onnxruntime_gpu, which needs CUDA 12 and cuDNN 9 "
                    + "libraries on the host, or use provider 'cpu'.");
        }
        try {
            so.addCUDA(provider.deviceId());
        } catch (OrtException | RuntimeException e) {
            throw new InferenceException("execution provider " + provider + " could not be started: " + e.getMessage()
                    + ". onnxruntime_gpu needs CUDA 12 and cuDNN 9 libraries on the library path, and a GPU with id "
                    + provider.deviceId() + ".", e);
        }
    }

    private static void closeQuietly(OrtSession session, RuntimeException primary) {
        try {
            session.close();
        } catch (OrtException e) {
            primary.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            session.close();
        } catch (OrtException e) {
            throw new InferenceException("closing the ONNX Runtime session failed: " + e.getMessage(), e);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
