package dev.clstream.serde;

/**
 * Confluent's framing of a registry-encoded value: magic byte 0, the schema id as a 4-byte
 * big-endian int, then the Avro binary encoding.
 */
public final class ConfluentWireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private ConfluentWireFormat() {}

    /** The schema id of {@code data}; -1 when it does not start with a Confluent header. */
    public static int schemaId(byte[] data) {
        if (data == null || data.length < HEADER_SIZE || data[0] != MAGIC_BYTE) {
            return -1;
        }
        return readId(data);
    }

    static int readId(byte[] data) {
        return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    }

    static void writeHeader(java.io.ByteArrayOutputStream out, int id) {
        out.write(MAGIC_BYTE);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
    }
}
