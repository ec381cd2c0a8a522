package dev.clstream.avro;

import java.util.List;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Makes Avro trust the classes generated from this module's schemas.
 *
 * <p>Since Avro 1.12.2 every class that Avro resolves by name (which includes the generated class of every record
 * schema, looked up when a {@code SpecificDatumReader}/{@code SpecificDatumWriter} is created or a record is decoded)
 * must pass {@link ClassSecurityValidator}, and by default only a few {@code java.lang}/{@code java.math} classes do.
 * Without this, even {@code TextEvent.fromByteBuffer(event.toByteBuffer())} throws {@code SecurityException:
 * Forbidden dev.clstream.avro.TextEvent!}.
 *
 * <p>Call {@link #install()} once at start-up, before any encoding or decoding with the generated classes (Kafka serdes
 * included). It trusts exactly the classes in {@link #GENERATED}, by name, on top of whatever is trusted already. The
 * alternative is the JVM flag {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.clstream.avro}, which Avro reads once,
 * when the validator class is first loaded.
 */
public final class TrustedClasses {

    /** Every class generated from src/main/avro; TrustedClassesTest checks that none is missing. */
    public static final List<Class<? extends SpecificRecordBase>> GENERATED = List.of(
            TextEvent.class,
            LabeledEvent.class,
            LabelProbability.class,
            HeadLabel.class,
            ClsEmbedding.class,
            DeadLetter.class);

    private static final ClassSecurityPredicate PREDICATE = predicate();

    private TrustedClasses() {
    }

    /**
     * Adds the generated classes to Avro's global class validator, keeping everything it trusted before. Idempotent
     * and thread-safe; does nothing when they are trusted already.
     */
    public static synchronized void install() {
        if (!isInstalled()) {
            ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current, PREDICATE));
        }
    }

    /** Whether Avro's global class validator currently trusts every generated class. */
    public static boolean isInstalled() {
        ClassSecurityPredicate global = ClassSecurityValidator.getGlobal();
        return GENERATED.stream().allMatch(global::isTrusted);
    }

    private static ClassSecurityPredicate predicate() {
        ClassSecurityValidator.Builder builder = ClassSecurityValidator.builder();
        GENERATED.forEach(builder::add);
        return builder.build();
    }
}
