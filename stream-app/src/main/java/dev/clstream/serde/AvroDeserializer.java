package dev.clstream.serde;

import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.DecodeException;
import java.io.IOException;
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
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "the value" + AvroDecodeErrors.on(topic)
                    + " is empty (0 bytes): no Confluent Avro header");
        }
        if (data[0] != ConfluentWireFormat.MAGIC_BYTE) {
            throw new DecodeException(DeadLetterReason.WRONG_MAGIC_BYTE, "unknown magic byte " + AvroDecodeErrors.byteName(data[0])
                    + " in the value" + AvroDecodeErrors.on(topic) + ": expected 0x00, the Confluent Avro wire format"
                    + AvroDecodeErrors.looksLike(data));
        }
        if (data.length < ConfluentWireFormat.HEADER_SIZE) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "the value" + AvroDecodeErrors.on(topic) + " has only " + data.length
                    + " byte(s): the Confluent header needs 5 (magic byte and 4-byte schema id)");
        }
        int id = ConfluentWireFormat.readId(data);
        Plan plan = plan(id, topic);
        if (plan.incompatibility() != null) {
            throw new DecodeException(DeadLetterReason.INCOMPATIBLE_SCHEMA, "the value" + AvroDecodeErrors.on(topic)
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
                throw AvroDecodeErrors.undecodable(topic, data, plan.id(), plan.writer(), null);
            }
        } catch (IOException | RuntimeException e) {
            throw AvroDecodeErrors.undecodable(topic, data, plan.id(), plan.writer(), e);
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
                    + RegistrySettings.SCHEMA_REGISTRY_URL + " or pass a SchemaRegistryClient");
        }
        Schema writer;
        try {
            writer = r.byId(id);
        } catch (UnknownSchemaIdException e) {
            throw new UnknownSchemaIdException(id, "unknown schema id " + id + " in the value" + AvroDecodeErrors.on(topic) + ": "
                    + e.getMessage(), e);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot fetch writer schema id " + id + " for the value" + AvroDecodeErrors.on(topic) + ": "
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

    @Override
    public void close() {
        plans.clear();
    }
}
