package dev.clstream.serde;

/**
 * No configured registry URL answered (connection refused, unknown host, timeout, TLS failure).
 * The message lists each URL tried with its error. Transient: retry or stop, never dead-letter.
 */
public class SchemaRegistryUnavailableException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
