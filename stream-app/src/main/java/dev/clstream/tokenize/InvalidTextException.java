package dev.clstream.tokenize;

/** A text that cannot be classified (empty, blank, or nothing left after normalisation). */
public class InvalidTextException extends RuntimeException {
    private final String reason;

    public InvalidTextException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** A short stable code for metrics and dead-letter records, e.g. {@code empty_text}. */
    public String reason() {
        return reason;
    }
}
