package dev.clstream.serde;

/**
 * A Schema Registry request failed. {@link #status()} is the HTTP status (or -1 when no answer
 * came) and {@link #errorCode()} the Confluent {@code error_code} from the body (or -1).
 * Subclasses name the cases callers act on; the message of any other failure carries the URL,
 * the status and the body.
 */
public class SchemaRegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, Throwable cause) {
        this(message, -1, -1, cause);
    }

    public SchemaRegistryException(String message, int status, int errorCode) {
        this(message, status, errorCode, null);
    }

    public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** HTTP status of the registry's answer; -1 when there was none. */
    public int status() {
        return status;
    }

    /** Confluent {@code error_code} of the answer (40401, 40403, 409, ...); -1 when there was none. */
    public int errorCode() {
        return errorCode;
    }
}
