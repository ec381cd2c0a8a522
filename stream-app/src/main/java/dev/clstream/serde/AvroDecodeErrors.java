package dev.clstream.serde;

import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.DecodeException;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.ResolvingDecoder;

/**
 * What {@link AvroDeserializer} says about bytes it cannot read: which field and byte a corrupt or
 * truncated value went wrong at, and what a value that is not Avro at all looks like. This runs only
 * for bad records.
 */
final class AvroDecodeErrors {
    private AvroDecodeErrors() {}

    /**
     * Decodes again with a reader that tracks fields, to say where the bytes went wrong (this
     * runs only for bad records).
     */
    static DecodeException undecodable(String topic, byte[] data, int id, Schema writer, Throwable first) {
        int payload = data.length - ConfluentWireFormat.HEADER_SIZE;
        // The array-backed decoder checks lengths against the bytes left, so corrupt lengths cannot allocate.
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_SIZE, payload, null);
        TrackingReader tracking = new TrackingReader(writer);
        String prefix = "cannot decode the value" + on(topic) + " with writer schema id " + id + " ("
                + AvroSchemas.name(writer) + "): ";
        Throwable cause = first;
        String what;
        try {
            tracking.read(null, in);
            int left = remaining(in);
            if (left > 0) {
                what = left + " byte(s) left over after a complete record (" + (payload - left) + " of " + payload
                        + " payload bytes used): corrupt, or not written with this schema";
            } else {
                // The bytes are fine for the writer schema; the failure came from the reader side.
                what = describe(first) + " (the data decodes with the writer schema, but not into the reader's)";
            }
        } catch (IOException | RuntimeException e) {
            cause = e;
            int used = payload - remaining(in);
            String field = tracking.path();
            if (e instanceof EOFException) {
                what = "truncated: ran out of data " + (field == null ? "" : "reading field '" + field + "' ")
                        + "at payload byte " + used + " of " + payload + " (" + describe(e) + ")";
            } else {
                what = "corrupt data " + (field == null ? "" : "in field '" + field + "' ") + "near payload byte "
                        + used + " of " + payload + ": " + describe(e);
            }
        }
        return new DecodeException(DeadLetterReason.UNDECODABLE, prefix + what, cause);
    }

    private static int remaining(BinaryDecoder in) {
        try {
            return in.inputStream().available();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String describe(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        String msg = e.getMessage();
        return msg == null || msg.isBlank() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + msg;
    }

    static String on(String topic) {
        return topic == null ? "" : " on topic '" + topic + "'";
    }

    static String byteName(byte b) {
        int v = b & 0xff;
        String hex = String.format("0x%02x", v);
        return v >= 0x20 && v < 0x7f ? hex + " ('" + (char) v + "')" : hex;
    }

    static String looksLike(byte[] data) {
        int v = data[0] & 0xff;
        if (v == '{' || v == '[') {
            return " (the value looks like JSON)";
        }
        int printable = 0;
        int n = Math.min(data.length, 64);
        for (int i = 0; i < n; i++) {
            int c = data[i] & 0xff;
            if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t') {
                printable++;
            }
        }
        return printable == n ? " (the value looks like plain text)" : "";
    }

    /** A generic reader that remembers the field it is in, so a failure can name it. */
    private static final class TrackingReader extends GenericDatumReader<Object> {
        private final Deque<String> path = new ArrayDeque<>();

        TrackingReader(Schema writer) {
            super(writer, writer, slowData());
        }

        /** Avro's fast reader skips readField(); this reader must not use it. */
        private static GenericData slowData() {
            GenericData data = new GenericData();
            data.setFastReaderEnabled(false);
            return data;
        }

        @Override
        protected void readField(Object r, Schema.Field f, Object oldDatum, ResolvingDecoder in, Object state)
                throws IOException {
            path.addLast(f.name());
            super.readField(r, f, oldDatum, in, state);
            path.removeLast();
        }

        String path() {
            return path.isEmpty() ? null : String.join(".", path);
        }
    }
}
