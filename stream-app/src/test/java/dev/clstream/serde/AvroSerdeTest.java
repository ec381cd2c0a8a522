package dev.clstream.serde;

import static dev.clstream.testing.Messages.assertMessageNames;
import static dev.clstream.serde.TestSchemas.str;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clstream.event.DecodeException;
import dev.clstream.event.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private static final String TOPIC = "clstream-input";

    private String scope;
    private MockSchemaRegistry registry;

    @BeforeEach
    void setUp() {
        scope = "serde-" + UUID.randomUUID();
        registry = MockSchemaRegistry.scope(scope);
    }

    @AfterEach
    void tearDown() {
        MockSchemaRegistry.drop(scope);
    }

    private byte[] write(GenericRecord r) {
        return new AvroSerializer<GenericRecord>(registry).serialize(TOPIC, r);
    }

    private GenericRecord read(byte[] bytes, Schema reader) {
        return new AvroDeserializer<GenericRecord>(registry, reader).deserialize(TOPIC, bytes);
    }

    private DecodeException decodeFailure(byte[] bytes, Schema reader) {
        return assertThrows(DecodeException.class, () -> read(bytes, reader));
    }

    // ---- wire format

    @Test
    void wireFormatIsMagicByteBigEndianIdThenAvroBinary() {
        SchemaRegistryClient fixedId = new SchemaRegistryClient() {
            @Override
            public int register(String subject, Schema schema) {
                assertEquals(TOPIC + "-value", subject);
                return 0x01020304;
            }

            @Override
            public int lookup(String subject, Schema schema) {
                throw new AssertionError("auto.register.schemas is on");
            }

            @Override
            public Schema byId(int id) {
                return TestSchemas.V1;
            }

            @Override
            public List<String> subjects() {
                return List.of();
            }
        };
        byte[] bytes = new AvroSerializer<GenericRecord>(fixedId).serialize(TOPIC, TestSchemas.v1("a", "hi"));
        // 0, id 0x01020304 big-endian, then "a" (zig-zag length 1 = 0x02) and "hi" (length 2 = 0x04).
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 0x02, 'a', 0x04, 'h', 'i'}, bytes);
        assertEquals(0x01020304, ConfluentWireFormat.schemaId(bytes));
        assertEquals(-1, ConfluentWireFormat.schemaId("{}".getBytes(StandardCharsets.UTF_8)));

        GenericRecord back = new AvroDeserializer<GenericRecord>(fixedId).deserialize(TOPIC, bytes);
        assertEquals("a", str(back, "id"));
        assertEquals("hi", str(back, "text"));
    }

    @Test
    void idsFromTheRegistryAreWrittenInTheHeader() {
        byte[] bytes = write(TestSchemas.v1("e-1", "hello"));
        int id = registry.lookup(TOPIC + "-value", TestSchemas.V1);
        assertEquals(1, id);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 1}, Arrays.copyOf(bytes, 5));
    }

    @Test
    void keysUseTheKeySubjectAndNullsPassThrough() {
        AvroSerializer<GenericRecord> keys = new AvroSerializer<>();
        keys.configure(Map.of(RegistrySettings.SCHEMA_REGISTRY_URL, MockSchemaRegistry.url(scope)), true);
        keys.serialize(TOPIC, TestSchemas.v1("k", "key"));
        assertEquals(List.of(TOPIC + "-key"), registry.subjects());
        assertNull(keys.serialize(TOPIC, null));
        assertNull(new AvroDeserializer<GenericRecord>(registry).deserialize(TOPIC, null));
    }

    // ---- round trips and evolution

    @Test
    void genericRecordRoundTrip() {
        GenericRecord in = TestSchemas.v2("e-1", "Can we move the review to 3pm? ☕", "en");
        GenericRecord out = read(write(in), null);
        assertEquals(TestSchemas.V2, out.getSchema());
        assertEquals(in, out);
        assertEquals("Can we move the review to 3pm? ☕", str(out, "text"));
    }

    @Test
    void newWriterWithExtraOptionalFieldIsReadByOldReader() {
        byte[] v2Bytes = write(TestSchemas.v2("e-2", "WIN a FREE cruise", "en"));
        GenericRecord asV1 = read(v2Bytes, TestSchemas.V1);
        assertEquals(TestSchemas.V1, asV1.getSchema());
        assertEquals("e-2", str(asV1, "id"));
        assertEquals("WIN a FREE cruise", str(asV1, "text"));
        assertFalse(asV1.hasField("lang"));
    }

    @Test
    void oldWriterIsReadByNewReaderWithTheDefault() {
        byte[] v1Bytes = write(TestSchemas.v1("e-3", "old"));
        GenericRecord asV2 = read(v1Bytes, TestSchemas.V2);
        assertEquals(TestSchemas.V2, asV2.getSchema());
        assertEquals("old", str(asV2, "text"));
        assertNull(asV2.get("lang"));
    }

    @Test
    void oneReaderReadsBothWriterVersionsFromOneSubject() {
        byte[] a = write(TestSchemas.v1("a", "one"));
        byte[] b = write(TestSchemas.v2("b", "two", "de"));
        assertEquals(List.of(1, 2), registry.versions(TOPIC + "-value"));
        AvroDeserializer<GenericRecord> reader = new AvroDeserializer<>(registry, TestSchemas.V2);
        assertNull(reader.deserialize(TOPIC, a).get("lang"));
        assertEquals("de", str(reader.deserialize(TOPIC, b), "lang"));
    }

    @Test
    void specificRecordsRoundTripAndResolveFromAGenericWriter() {
        byte[] bytes = new AvroSerializer<SpecificTextEvent>(registry).serialize(TOPIC,
                new SpecificTextEvent("s-1", "specific"));
        SpecificTextEvent back = AvroDeserializer.specific(registry, SpecificTextEvent.class).deserialize(TOPIC, bytes);
        assertEquals("s-1", back.getId().toString());
        assertEquals("specific", back.getText().toString());

        // A newer writer of the same record, with an extra field, still reads into the class.
        Schema newer = TestSchemas.parse("""
                {"type": "record", "name": "SpecificTextEvent", "namespace": "dev.clstream.serde", "fields": [
                  {"name": "id", "type": "string"},
                  {"name": "text", "type": "string"},
                  {"name": "score", "type": "double", "default": 0.0}
                ]}""");
        GenericRecord g = new GenericData.Record(newer);
        g.put("id", "s-2");
        g.put("text", "newer");
        g.put("score", 0.5);
        byte[] newerBytes = new AvroSerializer<GenericRecord>(registry).serialize(TOPIC, g);
        Object read = AvroDeserializer.specific(registry, SpecificTextEvent.class).deserialize(TOPIC, newerBytes);
        SpecificTextEvent s = assertInstanceOf(SpecificTextEvent.class, read);
        assertEquals("newer", s.getText().toString());
    }

    @Test
    void configuredFromAMapWithReaderSchemaText() {
        byte[] bytes = write(TestSchemas.v2("c-1", "configured", "fr"));
        AvroDeserializer<GenericRecord> d = new AvroDeserializer<>();
        d.configure(Map.of(RegistrySettings.SCHEMA_REGISTRY_URL, MockSchemaRegistry.url(scope),
                AvroDeserializer.READER_SCHEMA_CONFIG, TestSchemas.V1.toString()), false);
        assertEquals(TestSchemas.V1, d.readerSchema());
        assertEquals(TestSchemas.V1, d.deserialize(TOPIC, bytes).getSchema());

        AvroDeserializer<GenericRecord> bad = new AvroDeserializer<>();
        ConfigException e = assertThrows(ConfigException.class, () -> bad.configure(Map.of(
                RegistrySettings.SCHEMA_REGISTRY_URL, MockSchemaRegistry.url(scope),
                AvroDeserializer.READER_SCHEMA_CONFIG, "{\"type\": \"record\"}"), false));
        assertMessageNames(e, AvroDeserializer.READER_SCHEMA_CONFIG);
    }

    // ---- caching

    @Test
    void serializerAndDeserializerAskTheRegistryOncePerSchema() {
        AvroSerializer<GenericRecord> ser = new AvroSerializer<>(registry);
        byte[] bytes = null;
        for (int i = 0; i < 5; i++) {
            bytes = ser.serialize(TOPIC, TestSchemas.v1("id-" + i, "text " + i));
        }
        assertEquals(1, registry.calls());
        ser.serialize(TOPIC, TestSchemas.v2("x", "y", null));
        assertEquals(2, registry.calls());

        AvroDeserializer<GenericRecord> de = new AvroDeserializer<>(registry, TestSchemas.V2);
        for (int i = 0; i < 5; i++) {
            assertEquals("text 4", str(de.deserialize(TOPIC, bytes), "text"));
        }
        assertEquals(3, registry.calls());
    }

    @Test
    void withoutAutoRegisterTheSchemaMustAlreadyBeRegistered() {
        AvroSerializer<GenericRecord> ser = new AvroSerializer<>();
        ser.configure(Map.of(RegistrySettings.SCHEMA_REGISTRY_URL, MockSchemaRegistry.url(scope),
                RegistrySettings.AUTO_REGISTER_SCHEMAS, "false"), false);
        SerializationException e = assertThrows(SerializationException.class,
                () -> ser.serialize(TOPIC, TestSchemas.v1("a", "b")));
        assertMessageNames(e, "not registered under subject 'clstream-input-value'");
        assertMessageNames(e, "auto.register.schemas=false");
        assertFalse(e instanceof DecodeException);

        int id = registry.register(TOPIC + "-value", TestSchemas.V1);
        assertEquals(id, ConfluentWireFormat.schemaId(ser.serialize(TOPIC, TestSchemas.v1("a", "b"))));
        assertEquals(List.of(id), registry.versions(TOPIC + "-value"));
    }

    // ---- failures, each with its reason code

    @Test
    void wrongMagicByteNamesTheByteFound() {
        DecodeException e = decodeFailure("{\"text\": \"hi\"}".getBytes(StandardCharsets.UTF_8), null);
        assertEquals(DeadLetterReason.WRONG_MAGIC_BYTE, e.reason());
        assertMessageNames(e, "0x7b ('{')");
        assertMessageNames(e, "looks like JSON");
        assertMessageNames(e, TOPIC);
        assertInstanceOf(SerializationException.class, e);

        DecodeException binary = decodeFailure(new byte[] {(byte) 0xc3, 0, 0, 0, 1, 2}, null);
        assertEquals(DeadLetterReason.WRONG_MAGIC_BYTE, binary.reason());
        assertMessageNames(binary, "0xc3");
    }

    @Test
    void unknownSchemaIdNamesTheId() {
        write(TestSchemas.v1("a", "b"));
        byte[] bytes = {0, 0, 0, 0x01, 0x2c, 2, 'a', 2, 'b'}; // id 300
        DecodeException e = decodeFailure(bytes, null);
        UnknownSchemaIdException u = assertInstanceOf(UnknownSchemaIdException.class, e);
        assertEquals(DeadLetterReason.UNKNOWN_SCHEMA_ID, u.reason());
        assertEquals(300, u.id());
        assertMessageNames(e, "schema id 300");
    }

    @Test
    void emptyAndShortValuesAreUndecodable() {
        DecodeException empty = decodeFailure(new byte[0], null);
        assertEquals(DeadLetterReason.UNDECODABLE, empty.reason());
        assertMessageNames(empty, "empty");

        DecodeException shortHeader = decodeFailure(new byte[] {0, 0, 1}, null);
        assertEquals(DeadLetterReason.UNDECODABLE, shortHeader.reason());
        assertMessageNames(shortHeader, "only 3 byte(s)");
    }

    @Test
    void truncatedAvroSaysWhichFieldRanOut() {
        byte[] full = write(TestSchemas.v1("e-1", "hello world"));
        byte[] truncated = Arrays.copyOf(full, full.length - 3);
        DecodeException e = decodeFailure(truncated, null);
        assertEquals(DeadLetterReason.UNDECODABLE, e.reason());
        assertMessageNames(e, "truncated");
        assertMessageNames(e, "field 'text'");
        assertMessageNames(e, "schema id 1");

        // A header alone: nothing left for the first field.
        DecodeException headerOnly = decodeFailure(Arrays.copyOf(full, 5), null);
        assertMessageNames(headerOnly, "field 'id'");
    }

    @Test
    void corruptAvroSaysWhere() {
        write(TestSchemas.v1("e-1", "x"));
        // id ok ("a"), then text with a negative length (zig-zag 0x01 = -1).
        DecodeException negative = decodeFailure(new byte[] {0, 0, 0, 0, 1, 2, 'a', 0x01}, null);
        assertEquals(DeadLetterReason.UNDECODABLE, negative.reason());
        assertMessageNames(negative, "field 'text'");
        assertMessageNames(negative, "payload byte");

        // A huge string length must fail on the bytes available, not try to allocate it.
        DecodeException huge = decodeFailure(new byte[] {0, 0, 0, 0, 1, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                (byte) 0x80, 0x07, 'a'}, null);
        assertEquals(DeadLetterReason.UNDECODABLE, huge.reason());
        assertMessageNames(huge, "field 'id'");

        byte[] full = write(TestSchemas.v1("e-1", "x"));
        byte[] extra = Arrays.copyOf(full, full.length + 2);
        DecodeException leftOver = decodeFailure(extra, null);
        assertEquals(DeadLetterReason.UNDECODABLE, leftOver.reason());
        assertMessageNames(leftOver, "2 byte(s) left over");
    }

    @Test
    void incompatibleWriterNamesTheMissingField() {
        byte[] v1Bytes = write(TestSchemas.v1("e-1", "x"));
        DecodeException e = decodeFailure(v1Bytes, TestSchemas.REQUIRED_LANG);
        assertEquals(DeadLetterReason.INCOMPATIBLE_SCHEMA, e.reason());
        assertMessageNames(e, "'lang'");
        assertMessageNames(e, "no default");
        assertMessageNames(e, "schema id 1");

        DecodeException type = decodeFailure(v1Bytes, TestSchemas.TEXT_AS_INT);
        assertEquals(DeadLetterReason.INCOMPATIBLE_SCHEMA, type.reason());
        assertMessageNames(type, "field 'text'");
    }

    @Test
    void serializerFailuresAreSerializationExceptionsNamingTheTopic() {
        GenericRecord missingText = new GenericData.Record(TestSchemas.V1);
        missingText.put("id", "x");
        SerializationException e = assertThrows(SerializationException.class, () -> write(missingText));
        assertMessageNames(e, TOPIC);
        assertMessageNames(e, "dev.clstream.test.TextEvent");

        registry.register(TOPIC + "-value", TestSchemas.V1);
        SerializationException incompatible = assertThrows(SerializationException.class,
                () -> write(new GenericData.Record(TestSchemas.TEXT_AS_INT)));
        assertInstanceOf(IncompatibleSchemaException.class, incompatible.getCause());
        assertMessageNames(incompatible, "field 'text'");
    }

    @Test
    void unconfiguredSerdesSayHowToConfigureThem() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new AvroSerializer<GenericRecord>().serialize(TOPIC, TestSchemas.v1("a", "b")));
        assertMessageNames(e, "schema.registry.url");
        ConfigException c = assertThrows(ConfigException.class,
                () -> new AvroDeserializer<GenericRecord>().configure(Map.of(), false));
        assertMessageNames(c, "schema.registry.url");
    }
}
