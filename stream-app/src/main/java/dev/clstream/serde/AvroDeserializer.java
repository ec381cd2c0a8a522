package dev.clstream.serde;

import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.ResolvingDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads values in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro
 * binary). The writer schema is fetched by id from the registry (once per id). Values decode to
 * {@link org.apache.avro.generic.GenericRecord} in the writer's schema, or, given a reader schema
 * (constructor or {@value #READER_SCHEMA_CONFIG}), are resolved from the writer's schema to the
 * reader's by Avro's rules, so data from older and newer writers reads as one shape; or to a
 * {@link SpecificRecord} class ({@link #specific}; the class and its schema's named types are
 * added to Avro 1.12's trusted classes). Strings decode as {@link org.apache.avro.util.Utf8} in
 * generic records.
 *
 * <p>Null bytes give null. A record at fault throws a {@link DecodeException} whose
 * {@link DecodeException#reason()} is {@value DecodeException#WRONG_MAGIC_BYTE},
 * {@value DecodeException#UNKNOWN_SCHEMA_ID} (an {@link UnknownSchemaIdException}),
 * {@value DecodeException#UNDECODABLE} (empty, truncated, corrupt or with bytes left over; the
 * message says at which field and byte) or {@value DecodeException#INCOMPATIBLE_SCHEMA} (names
 * the field). A registry failure (unreachable, auth) is a plain {@link SerializationException}.
 */
public class AvroDeserializer<T> implements Deserializer<T> {
    /** A reader schema, as an Avro {@link Schema} or its JSON text. */
    public static final String READER_SCHEMA_CONFIG = "avro.reader.schema";

    /** What to do with records written with one schema id. */
    private record Plan(int id, Schema writer, Schema reader, DatumReader<Object> datumReader, String incompatibility) {}

    private final ConcurrentMap<Integer, Plan> plans = new ConcurrentHashMap<>();
    private final Class<? extends SpecificRecord> specificClass;
    private final SpecificData specificData;
    private volatile SchemaRegistryClient registry;
    private volatile Schema readerSchema;

    /** For Kafka's reflection: generic records; {@link #configure} supplies the registry. */
    public AvroDeserializer() {
        this(null, null, null);
    }

    /** Generic records resolved to {@code readerSchema}; {@link #configure} supplies the registry. */
    public AvroDeserializer(Schema readerSchema) {
        this(null, readerSchema, null);
    }

    /** Generic records in their writer's schema, over {@code registry}. */
    public AvroDeserializer(SchemaRegistryClient registry) {
        this(registry, null, null);
    }

    /** Generic records resolved to {@code readerSchema} (null: the writer's), over {@code registry}. */
    public AvroDeserializer(SchemaRegistryClient registry, Schema readerSchema) {
        this(registry, readerSchema, null);
    }

    private AvroDeserializer(SchemaRegistryClient registry, Schema readerSchema,
                             Class<? extends SpecificRecord> specificClass) {
        this.registry = registry;
        this.specificClass = specificClass;
        this.specificData = specificClass == null ? null : SpecificData.getForClass(specificClass);
        Schema reader = readerSchema;
        if (specificClass != null) {
            reader = specificData.getSchema(specificClass);
            AvroSchemas.trust(specificClass, reader);
        }
        this.readerSchema = reader;
    }

    /** Instances of the generated class {@code type}, over {@code registry} (null: from configure()). */
    public static <R extends SpecificRecord> AvroDeserializer<R> specific(SchemaRegistryClient registry, Class<R> type) {
        return new AvroDeserializer<>(registry, null, type);
    }

    /** Instances of the generated class {@code type}; {@link #configure} supplies the registry. */
    public static <R extends SpecificRecord> AvroDeserializer<R> specific(Class<R> type) {
        return specific(null, type);
    }

    /**
     * Reads {@value #READER_SCHEMA_CONFIG} unless a reader schema was given and, unless a registry
     * was given, creates one with {@link SchemaRegistryClients#create}.
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (readerSchema == null && configs != null && configs.get(READER_SCHEMA_CONFIG) != null) {
            Object v = configs.get(READER_SCHEMA_CONFIG);
            if (v instanceof Schema s) {
                readerSchema = s;
            } else {
                try {
                    readerSchema = AvroSchemas.parse(v.toString());
                } catch (SchemaParseException e) {
                    throw new ConfigException(READER_SCHEMA_CONFIG, v, "not a valid Avro schema: " + e.getMessage());
                }
            }
            plans.clear();
        }
        if (registry == null) {
            registry = SchemaRegistryClients.create(configs);
        }
    }

    /** The reader schema; null when values are read in their writer's schema. */
    public Schema readerSchema() {
        return readerSchema;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length == 0) {
            throw new DecodeException(DecodeException.UNDECODABLE, "the value" + on(topic)
                    + " is empty (0 bytes): no Confluent Avro header");
        }
        if (data[0] != ConfluentWireFormat.MAGIC_BYTE) {
            throw new DecodeException(DecodeException.WRONG_MAGIC_BYTE, "unknown magic byte " + byteName(data[0])
                    + " in the value" + on(topic) + ": expected 0x00, the Confluent Avro wire format" + looksLike(data));
        }
        if (data.length < ConfluentWireFormat.HEADER_SIZE) {
            throw new DecodeException(DecodeException.UNDECODABLE, "the value" + on(topic) + " has only " + data.length
                    + " byte(s): the Confluent header needs 5 (magic byte and 4-byte schema id)");
        }
        int id = ConfluentWireFormat.readId(data);
        Plan plan = plan(id, topic);
        if (plan.incompatibility() != null) {
            throw new DecodeException(DecodeException.INCOMPATIBLE_SCHEMA, "the value" + on(topic)
                    + " was written with schema id " + id + " (" + AvroSchemas.name(plan.writer())
                    + "), which cannot be read as reader schema " + AvroSchemas.name(plan.reader()) + ": "
                    + plan.incompatibility());
        }
        int payload = data.length - ConfluentWireFormat.HEADER_SIZE;
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_SIZE, payload, null);
        Object value;
        try {
            value = plan.datumReader().read(null, in);
            if (!in.isEnd()) {
                throw undecodable(topic, data, plan, null);
            }
        } catch (IOException | RuntimeException e) {
            throw undecodable(topic, data, plan, e);
        }
        return (T) value;
    }

    private Plan plan(int id, String topic) {
        Plan plan = plans.get(id);
        if (plan != null) {
            return plan;
        }
        SchemaRegistryClient r = registry;
        if (r == null) {
            throw new IllegalStateException("AvroDeserializer is not configured: call configure() with "
                    + SchemaRegistryClients.SCHEMA_REGISTRY_URL + " or pass a SchemaRegistryClient");
        }
        Schema writer;
        try {
            writer = r.byId(id);
        } catch (UnknownSchemaIdException e) {
            throw new UnknownSchemaIdException(id, "unknown schema id " + id + " in the value" + on(topic) + ": "
                    + e.getMessage(), e);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot fetch writer schema id " + id + " for the value" + on(topic) + ": "
                    + e.getMessage(), e);
        }
        Schema reader = readerSchema == null ? writer : readerSchema;
        String problem = reader.equals(writer) ? null : AvroSchemas.incompatibility(reader, writer);
        if (problem == null && !reader.equals(writer)) {
            try {
                DecoderFactory.get().resolvingDecoder(writer, reader, null);
            } catch (IOException | AvroRuntimeException e) {
                problem = e.getMessage();
            }
        }
        DatumReader<Object> datumReader = specificClass != null
                ? new SpecificDatumReader<>(writer, reader, specificData)
                : new GenericDatumReader<>(writer, reader, GenericData.get());
        Plan made = new Plan(id, writer, reader, datumReader, problem);
        Plan prev = plans.putIfAbsent(id, made);
        return prev == null ? made : prev;
    }

    /**
     * Decodes again with a reader that tracks fields, to say where the bytes went wrong (this
     * runs only for bad records).
     */
    private static DecodeException undecodable(String topic, byte[] data, Plan plan, Throwable first) {
        int payload = data.length - ConfluentWireFormat.HEADER_SIZE;
        // The array-backed decoder checks lengths against the bytes left, so corrupt lengths cannot allocate.
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_SIZE, payload, null);
        TrackingReader tracking = new TrackingReader(plan.writer());
        String prefix = "cannot decode the value" + on(topic) + " with writer schema id " + plan.id() + " ("
                + AvroSchemas.name(plan.writer()) + "): ";
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
        return new DecodeException(DecodeException.UNDECODABLE, prefix + what, cause);
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

    private static String on(String topic) {
        return topic == null ? "" : " on topic '" + topic + "'";
    }

    private static String byteName(byte b) {
        int v = b & 0xff;
        String hex = String.format("0x%02x", v);
        return v >= 0x20 && v < 0x7f ? hex + " ('" + (char) v + "')" : hex;
    }

    private static String looksLike(byte[] data) {
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

    @Override
    public void close() {
        plans.clear();
    }
}
