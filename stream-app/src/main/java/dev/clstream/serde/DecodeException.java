package dev.clstream.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record's bytes cannot be turned into a value: the record itself is at fault, so it belongs on
 * the dead-letter topic under {@link #reason()}, a stable snake_case code (for example
 * {@value #WRONG_MAGIC_BYTE}, {@value #UNKNOWN_SCHEMA_ID}, {@value #UNDECODABLE},
 * {@value #INCOMPATIBLE_SCHEMA}, or a decoder's own code such as {@code invalid_json}).
 *
 * <p>Failures that are not the record's fault (the registry is down, refuses our credentials,
 * answers nonsense) are never a {@code DecodeException}: they are plain
 * {@link SerializationException}s, and the application should stop or retry rather than
 * dead-letter good records.
 */
public class DecodeException extends SerializationException {
    private static final long serialVersionUID = 1L;

    /** The first byte is not the Confluent wire format's magic byte 0. */
    public static final String WRONG_MAGIC_BYTE = "wrong_magic_byte";
    /** The schema id in the header is not in the registry. */
    public static final String UNKNOWN_SCHEMA_ID = "unknown_schema_id";
    /** The bytes are truncated or corrupt (or too short for the header). */
    public static final String UNDECODABLE = "undecodable";
    /** The writer schema cannot be read as the reader schema. */
    public static final String INCOMPATIBLE_SCHEMA = "incompatible_schema";

    private final String reason;

    public DecodeException(String reason, String message) {
        this(reason, message, null);
    }

    public DecodeException(String reason, String message, Throwable cause) {
        super(message, cause);
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a DecodeException needs a reason code");
        }
        this.reason = reason;
    }

    /** The stable reason code, for the dead-letter record. */
    public String reason() {
        return reason;
    }
}
