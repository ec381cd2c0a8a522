package dev.clstream.serde;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.util.ClassSecurityValidator;

/** Small Avro helpers shared by the registry clients and the serdes. */
final class AvroSchemas {
    private static final Set<String> TRUSTED = new HashSet<>();

    private AvroSchemas() {}

    /**
     * Tells Avro to trust {@code type} and the named types of its schema. Avro 1.12 refuses to
     * load classes by schema name unless trusted ({@link ClassSecurityValidator}, or the system
     * properties {@code org.apache.avro.SERIALIZABLE_PACKAGES/_CLASSES}); a SpecificRecord class
     * the application hands to a serde is trusted by that act. Only these exact names are added.
     */
    static synchronized void trust(Class<?> type, Schema schema) {
        Set<String> names = new LinkedHashSet<>();
        names.add(type.getName());
        namedTypes(schema, names, new HashSet<>());
        names.removeAll(TRUSTED);
        if (names.isEmpty()) {
            return;
        }
        ClassSecurityValidator.Builder b = ClassSecurityValidator.builder();
        names.forEach(b::add);
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), b.build()));
        TRUSTED.addAll(names);
    }

    private static void namedTypes(Schema s, Set<String> out, Set<Schema> seen) {
        if (!seen.add(s)) {
            return;
        }
        switch (s.getType()) {
            case RECORD -> {
                out.add(s.getFullName());
                s.getFields().forEach(f -> namedTypes(f.schema(), out, seen));
            }
            case ENUM, FIXED -> out.add(s.getFullName());
            case ARRAY -> namedTypes(s.getElementType(), out, seen);
            case MAP -> namedTypes(s.getValueType(), out, seen);
            case UNION -> s.getTypes().forEach(t -> namedTypes(t, out, seen));
            default -> { }
        }
    }

    /** Why {@code writer}'s data cannot be read as {@code reader}; null when it can. */
    static String incompatibility(Schema reader, Schema writer) {
        List<Incompatibility> found = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult()
                .getIncompatibilities();
        if (found == null || found.isEmpty()) {
            return null;
        }
        return found.stream().map(i -> describe(reader, i)).collect(Collectors.joining("; "));
    }

    /** One incompatibility in words, naming the (reader's) field where it can. */
    static String describe(Schema reader, Incompatibility i) {
        String msg = i.getMessage();
        String what = switch (i.getType()) {
            case READER_FIELD_MISSING_DEFAULT_VALUE -> "reader field '" + msg
                    + "' is missing from the writer schema and has no default value";
            case TYPE_MISMATCH -> msg;
            case NAME_MISMATCH -> "name mismatch: " + msg;
            case FIXED_SIZE_MISMATCH -> "fixed size mismatch: " + msg;
            case MISSING_ENUM_SYMBOLS -> "writer enum symbols missing from the reader enum: " + msg;
            case MISSING_UNION_BRANCH -> "writer union branches missing from the reader: " + msg;
        };
        if (i.getType() != SchemaCompatibility.SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE) {
            String field = fieldPath(reader, i.getLocation());
            if (field != null) {
                what = "field '" + field + "': " + what;
            }
        }
        return what + " (at " + i.getLocation() + ")";
    }

    /** Field names along a SchemaCompatibility location such as /fields/2/type, in {@code root}. */
    static String fieldPath(Schema root, String location) {
        if (root == null || location == null) {
            return null;
        }
        try {
            String[] parts = location.split("/");
            Schema s = root;
            List<String> names = new ArrayList<>();
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i];
                if (p.isEmpty() || p.equals("type")) {
                    continue;
                }
                if (p.equals("fields") && i + 1 < parts.length && s.getType() == Schema.Type.RECORD) {
                    Schema.Field f = s.getFields().get(Integer.parseInt(parts[++i]));
                    names.add(f.name());
                    s = f.schema();
                } else if (p.equals("items") && s.getType() == Schema.Type.ARRAY) {
                    s = s.getElementType();
                } else if (p.equals("values") && s.getType() == Schema.Type.MAP) {
                    s = s.getValueType();
                } else if (s.getType() == Schema.Type.UNION && p.chars().allMatch(Character::isDigit)) {
                    s = s.getTypes().get(Integer.parseInt(p));
                } else {
                    break;
                }
            }
            return names.isEmpty() ? null : String.join(".", names);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Parses a schema text from a registry. */
    static Schema parse(String text) {
        return new Schema.Parser().parse(text);
    }

    /** A schema's full name, or its type for unnamed schemas. */
    static String name(Schema s) {
        return switch (s.getType()) {
            case RECORD, ENUM, FIXED -> s.getFullName();
            default -> s.getType().getName();
        };
    }
}
