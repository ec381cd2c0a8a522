package dev.clstream.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every schema file follows the project's rules (README.md, "Rules"); and the rule checker does catch violations. */
class SchemaRulesTest {

    static List<Path> sourceFiles() {
        return AvscFiles.sourceFiles();
    }

    @Test
    void theFourSchemasExist() {
        List<String> names = AvscFiles.sourceFiles().stream().map(AvscFiles::recordName).collect(Collectors.toList());
        assertTrue(names.containsAll(AvscFiles.EXPECTED), "schema files present: " + names);
    }

    @ParameterizedTest
    @MethodSource("sourceFiles")
    void fileIsNamedAfterItsRecord(Path file) {
        Schema schema = AvscFiles.parse(file);
        assertEquals(Schema.Type.RECORD, schema.getType());
        assertEquals(AvscFiles.recordName(file), schema.getName());
        assertEquals(AvscFiles.NAMESPACE, schema.getNamespace());
    }

    @ParameterizedTest
    @MethodSource("sourceFiles")
    void schemaFollowsTheRules(Path file) {
        assertEquals(List.of(), SchemaRules.violations(AvscFiles.parse(file)));
    }

    @Test
    void rulesCatchViolations() {
        Schema bad = new Schema.Parser().parse("""
                {"type": "record", "name": "Bad", "namespace": "dev.clstream.avro", "doc": "Breaks every rule.",
                 "fields": [
                   {"name": "camelCase", "type": "string", "doc": "Not snake_case."},
                   {"name": "no_doc", "type": "string"},
                   {"name": "null_last", "type": ["string", "null"], "default": "x", "doc": "Null second."},
                   {"name": "no_default", "type": ["null", "string"], "doc": "Optional without default."},
                   {"name": "status", "doc": "An enum.",
                    "type": {"type": "enum", "name": "Status", "symbols": ["OK", "FAILED"]}},
                   {"name": "items", "doc": "Nested record without docs.",
                    "type": {"type": "array", "items": {"type": "record", "name": "Item",
                             "fields": [{"name": "value", "type": "int"}]}}}
                 ]}""");
        List<String> violations = SchemaRules.violations(bad);
        List<String> expected = List.of(
                "Bad.camelCase: field name is not snake_case",
                "Bad.no_doc: field has no doc",
                "Bad.null_last: union field must have default null",
                "Bad.null_last: union must have null as its first branch",
                "Bad.no_default: union field must have default null, has no default",
                "Bad.status: enum dev.clstream.avro.Status",
                "Bad.items[]: record dev.clstream.avro.Item has no doc",
                "Bad.items[].value: field has no doc");
        for (String prefix : expected) {
            assertTrue(violations.stream().anyMatch(v -> v.startsWith(prefix)),
                    "expected a violation starting with '" + prefix + "' in " + violations);
        }
        assertEquals(expected.size(), violations.size(), violations::toString);
    }
}
