package dev.clstream.serde;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;

/** A hand-written stand-in for an avro-maven-plugin generated class. */
public class SpecificTextEvent extends SpecificRecordBase {
    public static final Schema SCHEMA$ = new Schema.Parser().parse("""
            {"type": "record", "name": "SpecificTextEvent", "namespace": "dev.clstream.serde", "fields": [
              {"name": "id", "type": "string"},
              {"name": "text", "type": "string"}
            ]}""");

    private CharSequence id;
    private CharSequence text;

    public SpecificTextEvent() {}

    public SpecificTextEvent(CharSequence id, CharSequence text) {
        this.id = id;
        this.text = text;
    }

    public static Schema getClassSchema() {
        return SCHEMA$;
    }

    @Override
    public Schema getSchema() {
        return SCHEMA$;
    }

    @Override
    public Object get(int field) {
        return switch (field) {
            case 0 -> id;
            case 1 -> text;
            default -> throw new IndexOutOfBoundsException("no field " + field);
        };
    }

    @Override
    public void put(int field, Object value) {
        switch (field) {
            case 0 -> id = (CharSequence) value;
            case 1 -> text = (CharSequence) value;
            default -> throw new IndexOutOfBoundsException("no field " + field);
        }
    }

    public CharSequence getId() {
        return id;
    }

    public CharSequence getText() {
        return text;
    }
}
