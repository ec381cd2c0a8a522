package dev.clstream.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro values ({@link org.apache.avro.generic.GenericRecord}, {@link SpecificRecord}, or
 * any {@link GenericContainer}) in the Confluent wire format: magic byte 0, the schema's registry
 * id (4 bytes, big-endian), the Avro binary encoding.
 *
 * <p>The subject is Confluent's TopicNameStrategy: {@code <topic>-value}, or {@code <topic>-key}
 * when configured as a key serializer. With {@code auto.register.schemas=true} (the default) the
 * record's schema is registered on first use; otherwise it must already be registered and is
 * looked up. Ids are cached per subject and schema, so the registry is asked once per schema.
 *
 * <p>A null value serializes to null. Failures throw {@link SerializationException} with the
 * topic, subject and schema in the message.
 */
public class AvroSerializer<T extends GenericContainer> implements Serializer<T> {
    private record SubjectSchema(String subject, Schema schema) {}

    private final ConcurrentMap<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    private final ConcurrentMap<Schema, DatumWriter<Object>> genericWriters = new ConcurrentHashMap<>();
    private final ConcurrentMap<Schema, DatumWriter<Object>> specificWriters = new ConcurrentHashMap<>();
    private volatile SchemaRegistryClient registry;
    private volatile boolean isKey;
    private volatile boolean autoRegister = true;

    /** For Kafka's reflection: {@link #configure} supplies the registry. */
    public AvroSerializer() {}

    /** A value serializer over {@code registry}, registering schemas automatically. */
    public AvroSerializer(SchemaRegistryClient registry) {
        this(registry, false, true);
    }

    /** A ready serializer; {@link #configure} may still change key/value and auto-registration. */
    public AvroSerializer(SchemaRegistryClient registry, boolean isKey, boolean autoRegister) {
        this.registry = registry;
        this.isKey = isKey;
        this.autoRegister = autoRegister;
    }

    /**
     * Reads {@code auto.register.schemas} (default true) and, unless a registry was given,
     * creates one with {@link SchemaRegistryClients#create}.
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        RegistrySettings settings = RegistrySettings.from(configs);
        this.autoRegister = settings.autoRegister();
        if (registry == null) {
            registry = SchemaRegistryClients.create(settings);
        }
    }

    /** The subject of {@code topic}'s values (or keys): TopicNameStrategy. */
    public String subject(String topic) {
        return topic + (isKey ? "-key" : "-value");
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        SchemaRegistryClient r = registry;
        if (r == null) {
            throw new IllegalStateException("AvroSerializer is not configured: call configure() with "
                    + RegistrySettings.SCHEMA_REGISTRY_URL + " or pass a SchemaRegistryClient");
        }
        Schema schema = data.getSchema();
        String subject = subject(topic);
        int id = schemaId(r, subject, schema);
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        ConfluentWireFormat.writeHeader(out, id);
        try {
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            writer(data, schema).write(data, enc);
            enc.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot write the " + (isKey ? "key" : "value") + " for topic '" + topic
                    + "' as Avro " + AvroSchemas.name(schema) + " (schema id " + id + "): " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private int schemaId(SchemaRegistryClient r, String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = ids.get(key);
        if (cached != null) {
            return cached;
        }
        int id;
        try {
            id = autoRegister ? r.register(subject, schema) : r.lookup(subject, schema);
        } catch (SchemaNotRegisteredException e) {
            throw new SerializationException("schema " + AvroSchemas.name(schema) + " is not registered under subject '"
                    + subject + "' and " + RegistrySettings.AUTO_REGISTER_SCHEMAS
                    + "=false: register it first (" + e.getMessage() + ")", e);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot get a schema id for " + AvroSchemas.name(schema) + " under subject '"
                    + subject + "': " + e.getMessage(), e);
        }
        ids.putIfAbsent(key, id);
        return id;
    }

    private DatumWriter<Object> writer(Object data, Schema schema) {
        if (data instanceof SpecificRecord) {
            return specificWriters.computeIfAbsent(schema, s -> {
                AvroSchemas.trust(data.getClass(), s);
                return new SpecificDatumWriter<>(s, SpecificData.getForClass(data.getClass()));
            });
        }
        return genericWriters.computeIfAbsent(schema, s -> new GenericDatumWriter<>(s, GenericData.get()));
    }

    @Override
    public void close() {
        ids.clear();
    }
}
