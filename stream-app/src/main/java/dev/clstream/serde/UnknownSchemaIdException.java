package dev.clstream.serde;

import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.DecodeException;

/**
 * The registry has no schema with this id (Confluent error 40403). Thrown by
 * {@link SchemaRegistryClient#byId(int)} and by {@link AvroDeserializer}; a
 * {@link DecodeException} with reason {@link DeadLetterReason#UNKNOWN_SCHEMA_ID}.
 */
public class UnknownSchemaIdException extends DecodeException {
    private static final long serialVersionUID = 1L;

    private final int id;

    public UnknownSchemaIdException(int id, String message) {
        this(id, message, null);
    }

    public UnknownSchemaIdException(int id, String message, Throwable cause) {
        super(DeadLetterReason.UNKNOWN_SCHEMA_ID, message, cause);
        this.id = id;
    }

    /** The schema id that was not found. */
    public int id() {
        return id;
    }
}
