package dev.clstream.event;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record's bytes cannot be turned into a value: the record itself is at fault, so it belongs on
 * the dead-letter topic under {@link #reason()} (a {@link DeadLetterReason} of the decode stage,
 * such as {@link DeadLetterReason#WRONG_MAGIC_BYTE} or {@link DeadLetterReason#INVALID_JSON}).
 *
 * <p>Failures that are not the record's fault (the registry is down, refuses our credentials,
 * answers nonsense) are never a {@code DecodeException}: they are plain
 * {@link SerializationException}s, and the application should stop or retry rather than
 * dead-letter good records.
 */
public class DecodeException extends SerializationException {
    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    public DecodeException(DeadLetterReason reason, String message) {
        this(reason, message, null);
    }

    public DecodeException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        if (reason == null) {
            throw new IllegalArgumentException("a DecodeException needs a reason");
        }
        this.reason = reason;
    }

    /** Why the record is dead-lettered. */
    public DeadLetterReason reason() {
        return reason;
    }
}
