package dev.clstream.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;
import org.junit.jupiter.api.Test;

class TrustedClassesTest {

    @Test
    void listsEveryRecordOfEverySchemaFile() {
        Set<String> records = new TreeSet<>();
        AvscFiles.sourceFiles().forEach(file -> collectRecords(AvscFiles.parse(file), records));
        Set<String> listed = TrustedClasses.GENERATED.stream().map(Class::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(records, listed);
    }

    @Test
    void installTrustsTheGeneratedClassesAndKeepsWhatWasTrusted() {
        ClassSecurityPredicate before = ClassSecurityValidator.getGlobal();
        try {
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.DEFAULT);
            assertFalse(TrustedClasses.isInstalled());
            // A fresh SpecificData has no class cache, so it has to go through the validator.
            assertThrows(SecurityException.class, () -> new SpecificData().getClass(TextEvent.getClassSchema()));

            TrustedClasses.install();
            assertTrue(TrustedClasses.isInstalled());
            assertEquals(TextEvent.class, new SpecificData().getClass(TextEvent.getClassSchema()));
            assertTrue(ClassSecurityValidator.getGlobal().isTrusted(String.class), "default trust kept");
            assertFalse(ClassSecurityValidator.getGlobal().isTrusted(java.io.File.class), "nothing else trusted");

            ClassSecurityPredicate installed = ClassSecurityValidator.getGlobal();
            TrustedClasses.install();
            assertSame(installed, ClassSecurityValidator.getGlobal(), "install() is idempotent");
        } finally {
            ClassSecurityValidator.setGlobal(before);
        }
    }

    private static void collectRecords(Schema schema, Set<String> out) {
        switch (schema.getType()) {
            case RECORD -> {
                if (out.add(schema.getFullName())) {
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
}
