package dev.clstream.inference;

/**
 * The encoder did not finish a window within its time limit, or fails even on a text it is known
 * to run: the fault is the encoder's (a stalled or failed device, an exhausted machine), not the
 * texts'. Nothing is dead-lettered for it; the caller gives the window back to be retried.
 */
public class EncoderStalledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EncoderStalledException(String message) {
        super(message);
    }

    public EncoderStalledException(String message, Throwable cause) {
        super(message, cause);
    }
}
