package dev.clstream.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * Direct buffers one encoder run reads its inputs from and ONNX Runtime writes its outputs into.
 * Reused across runs (one per concurrent run) so a batch costs no allocation, and the outputs are
 * pinned here so that only the h_0 rows are ever copied into Java arrays. Each accessor returns the
 * buffer with its first {@code n} elements as the window ONNX Runtime sees.
 */
final class Workspace {
    private LongBuffer ids = longs(1);
    private LongBuffer mask = longs(1);
    private LongBuffer types = longs(1);
    private FloatBuffer hidden = floats(1);
    private FloatBuffer logits = floats(1);

    LongBuffer ids(int n) {
        return (ids = grow(ids, n)).clear().limit(n);
    }

    LongBuffer mask(int n) {
        return (mask = grow(mask, n)).clear().limit(n);
    }

    LongBuffer types(int n) {
        return (types = grow(types, n)).clear().limit(n);
    }

    FloatBuffer hidden(int n) {
        return (hidden = grow(hidden, n)).clear().limit(n);
    }

    FloatBuffer logits(int n) {
        return (logits = grow(logits, n)).clear().limit(n);
    }

    private static LongBuffer grow(LongBuffer b, int n) {
        return b.capacity() >= n ? b : longs(n);
    }

    private static FloatBuffer grow(FloatBuffer b, int n) {
        return b.capacity() >= n ? b : floats(n);
    }

    private static LongBuffer longs(int n) {
        return ByteBuffer.allocateDirect(n * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    private static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
