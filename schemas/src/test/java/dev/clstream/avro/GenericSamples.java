package dev.clstream.avro;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * Builds a generic record with a distinct, non-default value in every field, for any schema: unions take their
 * non-null branch, arrays and maps get two elements. Strings are {@link Utf8}, which is what a generic reader returns,
 * so decoded records compare equal to the samples.
 */
final class GenericSamples {

    private GenericSamples() {
    }

    static GenericRecord sample(Schema record) {
        return (GenericRecord) value(record, record.getName());
    }

    /** A copy of {@code record} in {@code schema}, which has the same fields plus possibly more, left null. */
    static GenericRecord copyInto(GenericRecord record, Schema schema) {
        GenericData.Record copy = new GenericData.Record(schema);
        for (Schema.Field field : record.getSchema().getFields()) {
            copy.put(field.name(), record.get(field.name()));
        }
        return copy;
    }

    private static Object value(Schema schema, String hint) {
        return switch (schema.getType()) {
            case RECORD -> {
                GenericData.Record record = new GenericData.Record(schema);
                for (Schema.Field field : schema.getFields()) {
                    record.put(field.pos(), value(field.schema(), hint + "." + field.name()));
                }
                yield record;
            }
            case UNION -> value(schema.getTypes().stream()
                    .filter(branch -> branch.getType() != Schema.Type.NULL)
                    .findFirst()
                    .orElseThrow(), hint);
            case ARRAY -> {
                GenericData.Array<Object> array = new GenericData.Array<>(2, schema);
                array.add(value(schema.getElementType(), hint + "[0]"));
                array.add(value(schema.getElementType(), hint + "[1]"));
                yield array;
            }
            case MAP -> {
                Map<Utf8, Object> map = new HashMap<>();
                map.put(new Utf8(hint + "/a"), value(schema.getValueType(), hint + "/a"));
                map.put(new Utf8(hint + "/b"), value(schema.getValueType(), hint + "/b"));
                yield map;
            }
            case STRING -> new Utf8(hint + " \u00e9\u4e2d");
            case BYTES -> ByteBuffer.wrap(new byte[] {(byte) 0xc3, 0x28, 0x00, (byte) hint.length()});
            case INT -> 1_000 + hint.length();
            case LONG -> 1_732_000_000_000L + hint.length();
            case FLOAT -> 0.125f + hint.length();
            case DOUBLE -> 0.5 + hint.length();
            case BOOLEAN -> true;
            case NULL -> null;
            default -> throw new IllegalArgumentException("no sample for " + schema);
        };
    }
}
