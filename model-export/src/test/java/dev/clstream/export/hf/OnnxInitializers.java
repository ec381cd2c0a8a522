package dev.clstream.export.hf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds the raw float data of a graph's initializers in an ONNX file's bytes, by walking the
 * protobuf wire format (ModelProto.graph = 7, GraphProto.initializer = 5, TensorProto.name = 8,
 * raw_data = 9), so a test can change one weight in place without an ONNX library.
 */
final class OnnxInitializers {
    private OnnxInitializers() {}

    /** Where an initializer's raw_data starts in the file, and its length in bytes. */
    record RawData(int offset, int length) {}

    static Map<String, RawData> find(byte[] model) {
        Map<String, RawData> out = new LinkedHashMap<>();
        Reader top = new Reader(model, 0, model.length);
        while (top.more()) {
            int[] field = top.field();
            if (field[0] == 7 && field[1] == 2) {
                int length = top.length();
                Reader graph = new Reader(model, top.pos, top.pos + length);
                while (graph.more()) {
                    int[] g = graph.field();
                    if (g[0] == 5 && g[1] == 2) {
                        int len = graph.length();
                        readTensor(model, graph.pos, graph.pos + len, out);
                        graph.pos += len;
                    } else {
                        graph.skip(g[1]);
                    }
                }
                top.pos += length;
            } else {
                top.skip(field[1]);
            }
        }
        return out;
    }

    /** Adds {@code delta} to float element {@code index} of the initializer's raw data. */
    static void addToFloat(byte[] model, RawData data, int index, float delta) {
        ByteBuffer b = ByteBuffer.wrap(model).order(ByteOrder.LITTLE_ENDIAN);
        int at = data.offset() + index * Float.BYTES;
        if (index < 0 || at + Float.BYTES > data.offset() + data.length()) {
            throw new IllegalArgumentException("element " + index + " is outside the initializer");
        }
        b.putFloat(at, b.getFloat(at) + delta);
    }

    private static void readTensor(byte[] model, int from, int to, Map<String, RawData> out) {
        Reader t = new Reader(model, from, to);
        String name = null;
        RawData raw = null;
        while (t.more()) {
            int[] f = t.field();
            if (f[0] == 8 && f[1] == 2) {
                int len = t.length();
                name = new String(model, t.pos, len, java.nio.charset.StandardCharsets.UTF_8);
                t.pos += len;
            } else if (f[0] == 9 && f[1] == 2) {
                int len = t.length();
                raw = new RawData(t.pos, len);
                t.pos += len;
            } else {
                t.skip(f[1]);
            }
        }
        if (name != null && raw != null) {
            out.put(name, raw);
        }
    }

    private static final class Reader {
        final byte[] bytes;
        int pos;
        final int end;

        Reader(byte[] bytes, int pos, int end) {
            this.bytes = bytes;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int[] field() {
            long key = varint();
            return new int[] {(int) (key >>> 3), (int) (key & 7)};
        }

        int length() {
            return (int) varint();
        }

        long varint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = bytes[pos++];
                v |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return v;
                }
            }
        }

        void skip(int wireType) {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    // Not "pos += length()": Java reads pos before length() advances it past the varint.
                    int n = length();
                    pos += n;
                }
                case 5 -> pos += 4;
                default -> throw new IllegalStateException("unsupported protobuf wire type " + wireType);
            }
        }
    }
}
