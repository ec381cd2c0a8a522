package dev.clstream.avro;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;

/**
 * The project's structural rules for its schemas (see README.md, "Rules"), as a checker that lists every violation.
 * It walks every type reachable from the root: nested records, array items, map values and union branches.
 */
final class SchemaRules {

    static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    static final Pattern PASCAL_CASE = Pattern.compile("[A-Z][A-Za-z0-9]*");

    private SchemaRules() {
    }

    static List<String> violations(Schema root) {
        List<String> out = new ArrayList<>();
        walk(root, root.getName(), out, new HashSet<>());
        return out;
    }

    private static void walk(Schema schema, String path, List<String> out, Set<String> seenRecords) {
        switch (schema.getType()) {
            case RECORD -> {
                if (!seenRecords.add(schema.getFullName())) {
                    return;
                }
                if (isBlank(schema.getDoc())) {
                    out.add(path + ": record " + schema.getFullName() + " has no doc");
                }
                if (!AvscFiles.NAMESPACE.equals(schema.getNamespace())) {
                    out.add(path + ": record " + schema.getFullName() + " is not in namespace " + AvscFiles.NAMESPACE);
                }
                if (!PASCAL_CASE.matcher(schema.getName()).matches()) {
                    out.add(path + ": record name " + schema.getName() + " is not PascalCase");
                }
                for (Schema.Field field : schema.getFields()) {
                    String fieldPath = path + "." + field.name();
                    if (!SNAKE_CASE.matcher(field.name()).matches()) {
                        out.add(fieldPath + ": field name is not snake_case");
                    }
                    for (String alias : field.aliases()) {
                        if (!SNAKE_CASE.matcher(alias).matches()) {
                            out.add(fieldPath + ": alias " + alias + " is not snake_case");
                        }
                    }
                    if (isBlank(field.doc())) {
                        out.add(fieldPath + ": field has no doc");
                    }
                    if (field.schema().getType() == Schema.Type.UNION
                            && !(field.hasDefaultValue() && field.defaultVal() == JsonProperties.NULL_VALUE)) {
                        out.add(fieldPath + ": union field must have default null, has "
                                + (field.hasDefaultValue() ? field.defaultVal() : "no default"));
                    }
                    walk(field.schema(), fieldPath, out, seenRecords);
                }
            }
            case UNION -> {
                List<Schema> branches = schema.getTypes();
                if (branches.get(0).getType() != Schema.Type.NULL) {
                    out.add(path + ": union must have null as its first branch, is " + schema);
                }
                for (Schema branch : branches) {
                    walk(branch, path, out, seenRecords);
                }
            }
            case ARRAY -> walk(schema.getElementType(), path + "[]", out, seenRecords);
            case MAP -> walk(schema.getValueType(), path + "{}", out, seenRecords);
            case ENUM -> out.add(path + ": enum " + schema.getFullName()
                    + " (use a string code: a reader fails on enum symbols it does not know)");
            default -> {
                // primitives and fixed: nothing to check
            }
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
