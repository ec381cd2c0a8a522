package dev.clstream.serde;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The part of a Confluent-compatible Schema Registry the Avro serdes need. Implementations cache
 * both ways (schema to id per subject, id to schema) and are thread-safe.
 *
 * <p>Failures are {@link SchemaRegistryException}s, except {@link #byId(int)} for an id the
 * registry does not have, which throws {@link UnknownSchemaIdException}.
 */
public interface SchemaRegistryClient {

    /**
     * Registers {@code schema} under {@code subject} and returns its id; if the same schema is
     * already registered there, returns its id without a new version.
     *
     * @throws IncompatibleSchemaException when the registry refuses it as incompatible
     */
    int register(String subject, Schema schema);

    /**
     * The id of {@code schema}, already registered under {@code subject}.
     *
     * @throws SchemaNotRegisteredException when it is not (a {@link SubjectNotFoundException}
     *         when the subject does not exist at all)
     */
    int lookup(String subject, Schema schema);

    /**
     * The schema with this id.
     *
     * @throws UnknownSchemaIdException when the registry has no such id
     */
    Schema byId(int id);

    /** The registry's subjects, for diagnostics (not cached). */
    List<String> subjects();
}
