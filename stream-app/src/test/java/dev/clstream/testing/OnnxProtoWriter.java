package dev.clstream.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Minimal protobuf wire-format writer for the subset of {@code onnx.proto} that tiny test encoders
 * need. It exists so tests can build ONNX files in plain Java: there is no onnx/protobuf library
 * on the test classpath and no Python onnx package on the build machines.
 *
 * <p>Field numbers follow onnx.proto (IR version 8). ONNX Runtime parsing the result is the check
 * that they are right.
 */
public final class OnnxProtoWriter {

    /** TensorProto.DataType values. */
    public static final int FLOAT = 1;
    public static final int INT32 = 6;
    public static final int INT64 = 7;

    public static final long IR_VERSION = 8;
    public static final long OPSET = 17;

    // AttributeProto.AttributeType values.
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_INTS = 7;

    private OnnxProtoWriter() {}

    /** One protobuf message being built; fields go out in call order, which the wire format allows. */
    public static final class Message {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Message varint(int field, long value) {
            tag(field, 0);
            writeVarint(value);
            return this;
        }

        public Message float32(int field, float value) {
            tag(field, 5);
            int bits = Float.floatToIntBits(value);
            for (int i = 0; i < 4; i++) {
                out.write(bits >>> (8 * i));
            }
            return this;
        }

        public Message bytes(int field, byte[] value) {
            tag(field, 2);
            writeVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        public Message string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        public Message message(int field, Message value) {
            return bytes(field, value.toByteArray());
        }

        public byte[] toByteArray() {
            return out.toByteArray();
        }

        private void tag(int field, int wireType) {
            writeVarint(((long) field << 3) | wireType);
        }

        // Negative int64 values become 10-byte two's-complement varints, as protobuf specifies.
        private void writeVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }
    }

    // ---- ModelProto / GraphProto ----

    public static byte[] model(String producer, Message graph) {
        Message opset = new Message().string(1, "").varint(2, OPSET);
        return new Message()
                .varint(1, IR_VERSION)
                .string(2, producer)
                .message(7, graph)
                .message(8, opset)
                .toByteArray();
    }

    public static Message graph(String name, List<Message> nodes, List<Message> initializers,
                                List<Message> inputs, List<Message> outputs) {
        Message g = new Message();
        nodes.forEach(n -> g.message(1, n));
        g.string(2, name);
        initializers.forEach(t -> g.message(5, t));
        inputs.forEach(v -> g.message(11, v));
        outputs.forEach(v -> g.message(12, v));
        return g;
    }

    // ---- NodeProto / AttributeProto ----

    public static Message node(String opType, String name, List<String> inputs, List<String> outputs,
                               Message... attributes) {
        Message n = new Message();
        inputs.forEach(i -> n.string(1, i));
        outputs.forEach(o -> n.string(2, o));
        n.string(3, name).string(4, opType);
        for (Message a : attributes) {
            n.message(5, a);
        }
        return n;
    }

    public static Message attrInt(String name, long value) {
        return new Message().string(1, name).varint(3, value).varint(20, ATTR_INT);
    }

    public static Message attrFloat(String name, float value) {
        return new Message().string(1, name).float32(2, value).varint(20, ATTR_FLOAT);
    }

    /** Repeated int64 written unpacked (proto2 default); parsers accept packed and unpacked alike. */
    public static Message attrInts(String name, long... values) {
        Message a = new Message().string(1, name);
        for (long v : values) {
            a.varint(8, v);
        }
        return a.varint(20, ATTR_INTS);
    }

    // ---- TensorProto (initializers) ----

    /** A tensor with little-endian raw_data; empty dims means a scalar. */
    public static Message tensor(String name, int dataType, long[] dims, byte[] rawLittleEndian) {
        Message t = new Message();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, dataType).string(8, name).bytes(9, rawLittleEndian);
    }

    public static Message floatTensor(String name, long[] dims, float... values) {
        ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        return tensor(name, FLOAT, dims, buf.array());
    }

    public static Message int64Tensor(String name, long[] dims, long... values) {
        ByteBuffer buf = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            buf.putLong(v);
        }
        return tensor(name, INT64, dims, buf.array());
    }

    // ---- ValueInfoProto / TypeProto ----

    /**
     * Graph input/output description. Each dim is a {@link Number} (dim_value) or a {@link String}
     * (dim_param, i.e. a symbolic dimension such as "batch").
     */
    public static Message valueInfo(String name, int elemType, Object... dims) {
        Message shape = new Message();
        for (Object d : dims) {
            Message dim = new Message();
            if (d instanceof Number n) {
                dim.varint(1, n.longValue());
            } else if (d instanceof String s) {
                dim.string(2, s);
            } else {
                throw new IllegalArgumentException("dim must be Number or String: " + d);
            }
            shape.message(1, dim);
        }
        Message tensorType = new Message().varint(1, elemType).message(2, shape);
        Message type = new Message().message(1, tensorType);
        return new Message().string(1, name).message(2, type);
    }
}
