package dev.clstream.serde;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Inline schemas for the serde tests: a text event and its evolutions. */
final class TestSchemas {
    private TestSchemas() {}

    /** v1: id and text. */
    static final Schema V1 = parse("""
            {"type": "record", "name": "TextEvent", "namespace": "dev.clstream.test", "fields": [
              {"name": "id", "type": "string"},
              {"name": "text", "type": "string"}
            ]}""");

    /** v2: v1 plus an optional lang (default null): compatible both ways with v1. */
    static final Schema V2 = parse("""
            {"type": "record", "name": "TextEvent", "namespace": "dev.clstream.test", "fields": [
              {"name": "id", "type": "string"},
              {"name": "text", "type": "string"},
              {"name": "lang", "type": ["null", "string"], "default": null}
            ]}""");

    /** v1 plus a required lang without default: cannot read v1 data. */
    static final Schema REQUIRED_LANG = parse("""
            {"type": "record", "name": "TextEvent", "namespace": "dev.clstream.test", "fields": [
              {"name": "id", "type": "string"},
              {"name": "text", "type": "string"},
              {"name": "lang", "type": "string"}
            ]}""");

    /** text as an int: cannot read v1 data. */
    static final Schema TEXT_AS_INT = parse("""
            {"type": "record", "name": "TextEvent", "namespace": "dev.clstream.test", "fields": [
              {"name": "id", "type": "string"},
              {"name": "text", "type": "int"}
            ]}""");

    static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }

    static GenericRecord v1(String id, String text) {
        GenericRecord r = new GenericData.Record(V1);
        r.put("id", id);
        r.put("text", text);
        return r;
    }

    static GenericRecord v2(String id, String text, String lang) {
        GenericRecord r = new GenericData.Record(V2);
        r.put("id", id);
        r.put("text", text);
        r.put("lang", lang);
        return r;
    }

    static String str(GenericRecord r, String field) {
        Object v = r.get(field);
        return v == null ? null : v.toString();
    }
}
