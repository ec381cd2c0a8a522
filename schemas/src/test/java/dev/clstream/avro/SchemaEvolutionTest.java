package dev.clstream.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.avro.AvroTypeException;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schema evolution, checked with Avro's own resolution rules ({@link SchemaCompatibility}) and with real binary data.
 *
 * <ul>
 *   <li>The current schemas are backward compatible with every published version in
 *       src/test/resources/schema-history (what the registry's BACKWARD_TRANSITIVE mode enforces), and keep every
 *       field that had no default (which that mode would let through).</li>
 *   <li>The change the rules allow, one more optional field, is compatible both ways and round-trips both ways,
 *       including into the generated classes.</li>
 *   <li>Breaking changes are reported as incompatible, so these checks can fail.</li>
 * </ul>
 */
class SchemaEvolutionTest {

    private static final String ADDED = "added_in_v2";

    @BeforeAll
    static void trustGeneratedClasses() {
        TrustedClasses.install();
    }

    static Stream<String> schemas() {
        return AvscFiles.EXPECTED.stream();
    }

    // ---- the real history: current schema vs every published version ----

    @ParameterizedTest
    @MethodSource("schemas")
    void currentSchemaReadsEveryPublishedVersion(String name) {
        Schema current = AvscFiles.current(name);
        for (Path version : publishedVersions(name)) {
            assertCompatible(current, AvscFiles.parse(version), "current " + name + " reading " + version);
        }
    }

    /**
     * BACKWARD_TRANSITIVE (the registry's check) allows dropping a field that has no default, but consumers still
     * on an older version then fail on new data. The rules forbid it, so check it here: every field without a
     * default in a published version, nested records included, is still there (under its name or as an alias).
     */
    @ParameterizedTest
    @MethodSource("schemas")
    void currentSchemaKeepsEveryFieldWithoutDefault(String name) {
        Map<String, Schema> current = records(AvscFiles.current(name));
        List<String> missing = new ArrayList<>();
        for (Path version : publishedVersions(name)) {
            for (Schema old : records(AvscFiles.parse(version)).values()) {
                Schema now = current.get(old.getFullName());
                for (Schema.Field field : old.getFields()) {
                    if (!field.hasDefaultValue() && (now == null || !hasField(now, field.name()))) {
                        missing.add(version.getFileName() + ": " + old.getName() + "." + field.name());
                    }
                }
            }
        }
        assertEquals(List.of(), missing, "fields without default removed from " + name);
    }

    private static List<Path> publishedVersions(String name) {
        Path dir = AvscFiles.HISTORY_DIR.resolve(name);
        List<Path> versions;
        try (Stream<Path> files = Files.list(dir)) {
            versions = files.filter(p -> p.getFileName().toString().matches("v\\d+\\.avsc")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("no published versions of " + name + " in " + dir, e);
        }
        assertFalse(versions.isEmpty(), "no published version of " + name + " in " + dir);
        return versions;
    }

    private static boolean hasField(Schema record, String name) {
        return record.getFields().stream().anyMatch(f -> f.name().equals(name) || f.aliases().contains(name));
    }

    /** Every named record reachable from {@code schema}, by full name. */
    private static Map<String, Schema> records(Schema schema) {
        Map<String, Schema> out = new LinkedHashMap<>();
        collectRecords(schema, out);
        return out;
    }

    private static void collectRecords(Schema schema, Map<String, Schema> out) {
        switch (schema.getType()) {
            case RECORD -> {
                if (out.putIfAbsent(schema.getFullName(), schema) == null) {
                    schema.getFields().forEach(f -> collectRecords(f.schema(), out));
                }
            }
            case UNION -> schema.getTypes().forEach(t -> collectRecords(t, out));
            case ARRAY -> collectRecords(schema.getElementType(), out);
            case MAP -> collectRecords(schema.getValueType(), out);
            default -> {
            }
        }
    }

    // ---- the allowed change: one more optional field ----

    @ParameterizedTest
    @MethodSource("schemas")
    void addedOptionalFieldIsCompatibleBothWays(String name) {
        Schema v1 = AvscFiles.current(name);
        Schema v2 = withAddedOptionalField(v1);
        assertCompatible(v2, v1, "new reader, old writer");
        assertCompatible(v1, v2, "old reader, new writer");
    }

    @ParameterizedTest
    @MethodSource("schemas")
    void oldDataReadWithNewSchemaHasNullInTheNewField(String name) {
        Schema v1 = AvscFiles.current(name);
        Schema v2 = withAddedOptionalField(v1);
        GenericRecord written = GenericSamples.sample(v1);

        GenericRecord read = read(write(written, v1), v1, v2);

        assertNull(read.get(ADDED));
        assertEquals(GenericSamples.copyInto(written, v2), read);
    }

    @ParameterizedTest
    @MethodSource("schemas")
    void newDataReadWithOldSchemaDropsTheNewField(String name) throws IOException {
        Schema v1 = AvscFiles.current(name);
        Schema v2 = withAddedOptionalField(v1);
        GenericRecord original = GenericSamples.sample(v1);
        GenericRecord written = GenericSamples.copyInto(original, v2);
        written.put(ADDED, new Utf8("only a v2 reader sees this"));
        byte[] v2Bytes = write(written, v2);

        GenericRecord read = read(v2Bytes, v2, v1);
        assertNull(read.getSchema().getField(ADDED));
        assertEquals(original, read);

        // The generated class is an old reader too: it must skip the field and keep every other value.
        Class<?> generated = SpecificData.get().getClass(v1);
        assertNotNull(generated, "no generated class for " + v1.getFullName());
        Schema classSchema = SpecificData.get().getSchema(generated);
        SpecificRecord specific = new SpecificDatumReader<SpecificRecord>(v2, classSchema)
                .read(null, DecoderFactory.get().binaryDecoder(v2Bytes, null));
        assertEquals(generated, specific.getClass());
        assertEquals(original, read(writeSpecific(specific), classSchema, v1));
    }

    // ---- LabeledEvent v2: every head's result ----

    /** A consumer built on LabeledEvent v1 reads a record with three heads: the primary's fields, as before. */
    @Test
    void aV1ConsumerReadsALabeledEventWithHeads() {
        Schema v1 = AvscFiles.parse(AvscFiles.HISTORY_DIR.resolve("LabeledEvent/v1.avsc"));
        LabeledEvent event = threeHeads();
        byte[] bytes = writeSpecific(event);

        GenericRecord old = read(bytes, LabeledEvent.getClassSchema(), v1);
        assertNull(old.getSchema().getField("heads"));
        assertEquals("spam", old.get("label").toString());
        assertEquals(0.9f, old.get("score"));
        assertEquals(2, ((List<?>) old.get("probabilities")).size());
        assertEquals(event.getProcessedTime().toEpochMilli(), old.get("processed_time"));
    }

    /** A LabeledEvent written before heads existed reads with no heads, every other value kept. */
    @Test
    void aV1LabeledEventReadsWithNoHeads() throws IOException {
        Schema v1 = AvscFiles.parse(AvscFiles.HISTORY_DIR.resolve("LabeledEvent/v1.avsc"));
        GenericRecord written = GenericSamples.sample(v1);

        LabeledEvent read = new SpecificDatumReader<LabeledEvent>(v1, LabeledEvent.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(write(written, v1), null));
        assertEquals(List.of(), read.getHeads());
        assertEquals(written.get("label").toString(), read.getLabel());
        assertEquals(written.get("id").toString(), read.getId());
    }

    private static LabeledEvent threeHeads() {
        List<LabelProbability> spam = List.of(new LabelProbability("ham", 0.1f), new LabelProbability("spam", 0.9f));
        return LabeledEvent.newBuilder().setId("e1").setLabel("spam").setScore(0.9f).setProbabilities(spam)
                .setModelName("m").setModelVersion("2.0.0").setTokens(7).setTruncated(false)
                .setProcessedTime(java.time.Instant.ofEpochMilli(1_700_000_000_000L))
                .setHeads(List.of(new HeadLabel("default", "spam", 0.9f, spam),
                        new HeadLabel("topic", "billing", 0.6f, List.of(new LabelProbability("billing", 0.6f),
                                new LabelProbability("other", 0.4f))),
                        new HeadLabel("lang", "en", 0.99f, List.of(new LabelProbability("en", 0.99f),
                                new LabelProbability("de", 0.01f)))))
                .build();
    }

    // ---- breaking changes: the checks must catch them ----

    @ParameterizedTest
    @MethodSource("schemas")
    void addingAFieldWithoutDefaultBreaksNewReadersOfOldData(String name) {
        Schema v1 = AvscFiles.current(name);
        List<Schema.Field> fields = copyFields(v1);
        fields.add(new Schema.Field("required_in_v2", Schema.create(Schema.Type.STRING), "No default."));
        Schema v2 = record(v1, fields);

        assertIncompatible(v2, v1, SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE);
        assertCompatible(v1, v2, "old reader ignores the extra field");
        byte[] oldData = write(GenericSamples.sample(v1), v1);
        assertThrows(AvroTypeException.class, () -> read(oldData, v1, v2));
    }

    @ParameterizedTest
    @MethodSource("schemas")
    void removingAFieldWithoutDefaultBreaksOldReadersOfNewData(String name) {
        Schema v1 = AvscFiles.current(name);
        Schema.Field removed = v1.getFields().stream().filter(f -> !f.hasDefaultValue()).findFirst().orElseThrow();
        List<Schema.Field> fields = copyFields(v1);
        fields.removeIf(f -> f.name().equals(removed.name()));
        Schema v2 = record(v1, fields);

        assertIncompatible(v1, v2, SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE);
        assertCompatible(v2, v1, "new reader ignores the removed field in old data");
        byte[] newData = write(GenericSamples.sample(v2), v2);
        assertThrows(AvroTypeException.class, () -> read(newData, v2, v1));
    }

    @ParameterizedTest
    @MethodSource("schemas")
    void removingAFieldWithDefaultIsCompatibleBothWays(String name) {
        Schema v1 = AvscFiles.current(name);
        Schema.Field removed = v1.getFields().stream().filter(Schema.Field::hasDefaultValue).findFirst().orElseThrow();
        List<Schema.Field> fields = copyFields(v1);
        fields.removeIf(f -> f.name().equals(removed.name()));
        Schema v2 = record(v1, fields);

        assertCompatible(v2, v1, "new reader, old writer");
        assertCompatible(v1, v2, "old reader fills in the default of " + removed.name());
    }

    @Test
    void changingScoreFromFloatToStringIsIncompatible() {
        Schema v1 = AvscFiles.current("LabeledEvent");
        Schema v2 = withFieldType(v1, "score", Schema.create(Schema.Type.STRING));

        assertIncompatible(v2, v1, SchemaIncompatibilityType.TYPE_MISMATCH);
        assertIncompatible(v1, v2, SchemaIncompatibilityType.TYPE_MISMATCH);
    }

    @Test
    void promotingScoreFromFloatToDoubleIsBackwardCompatibleOnly() {
        Schema v1 = AvscFiles.current("LabeledEvent");
        Schema v2 = withFieldType(v1, "score", Schema.create(Schema.Type.DOUBLE));

        assertCompatible(v2, v1, "a double reader reads old float data");
        assertIncompatible(v1, v2, SchemaIncompatibilityType.TYPE_MISMATCH);
        GenericRecord written = GenericSamples.sample(v1);
        GenericRecord read = read(write(written, v1), v1, v2);
        assertEquals(((Float) written.get("score")).doubleValue(), read.get("score"));
    }

    @Test
    void renamingAFieldBreaksReadersUnlessAliasedAndEvenThenOldReaders() {
        Schema v1 = AvscFiles.current("LabeledEvent");
        Schema renamed = withRenamedField(v1, "label", "top_label", false);
        Schema aliased = withRenamedField(v1, "label", "top_label", true);

        assertIncompatible(renamed, v1, SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE);
        assertCompatible(aliased, v1, "new reader finds the old name through its alias");
        assertIncompatible(v1, aliased, SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE);
    }

    // ---- helpers ----

    static Schema withAddedOptionalField(Schema v1) {
        List<Schema.Field> fields = copyFields(v1);
        fields.add(new Schema.Field(ADDED,
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                "Optional field added by SchemaEvolutionTest.", JsonProperties.NULL_VALUE));
        return record(v1, fields);
    }

    private static Schema withFieldType(Schema v1, String name, Schema type) {
        List<Schema.Field> fields = v1.getFields().stream()
                .map(f -> f.name().equals(name) ? new Schema.Field(f, type) : new Schema.Field(f, f.schema()))
                .collect(Collectors.toCollection(ArrayList::new));
        return record(v1, fields);
    }

    private static Schema withRenamedField(Schema v1, String from, String to, boolean alias) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : v1.getFields()) {
            if (f.name().equals(from)) {
                Schema.Field field = new Schema.Field(to, f.schema(), f.doc());
                if (alias) {
                    field.addAlias(from);
                }
                fields.add(field);
            } else {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        return record(v1, fields);
    }

    private static List<Schema.Field> copyFields(Schema schema) {
        return schema.getFields().stream()
                .map(f -> new Schema.Field(f, f.schema()))
                .collect(Collectors.toCollection(ArrayList::new));
    }

    private static Schema record(Schema like, List<Schema.Field> fields) {
        return Schema.createRecord(like.getName(), like.getDoc(), like.getNamespace(), false, fields);
    }

    private static void assertCompatible(Schema reader, Schema writer, String what) {
        SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(),
                () -> what + ": " + result.getResult().getIncompatibilities());
    }

    private static void assertIncompatible(Schema reader, Schema writer, SchemaIncompatibilityType expected) {
        SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        assertEquals(SchemaCompatibilityType.INCOMPATIBLE, result.getType(), result::getDescription);
        assertTrue(result.getResult().getIncompatibilities().stream().anyMatch(i -> i.getType() == expected),
                () -> "expected " + expected + " in " + result.getResult().getIncompatibilities());
    }

    private static byte[] write(GenericRecord record, Schema schema) {
        return encode(out -> new GenericDatumWriter<GenericRecord>(schema).write(record, out));
    }

    private static byte[] writeSpecific(SpecificRecord record) {
        return encode(out -> new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, out));
    }

    private static GenericRecord read(byte[] bytes, Schema writer, Schema reader) {
        try {
            return new GenericDatumReader<GenericRecord>(writer, reader)
                    .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Encoding {
        void run(BinaryEncoder out) throws IOException;
    }

    private static byte[] encode(Encoding encoding) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
        try {
            encoding.run(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
