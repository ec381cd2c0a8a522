package dev.clstream.tokenize;

import dev.clstream.event.DeadLetterReason;

/** A text that cannot be classified (empty, blank, or nothing left after normalisation). */
public class InvalidTextException extends RuntimeException {
    private final DeadLetterReason reason;

    public InvalidTextException(DeadLetterReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Why, for metrics, dead-letter records and {@code classify}'s error objects. */
    public DeadLetterReason reason() {
        return reason;
    }
}
