package dev.clstream.inference;

/** The encoder could not run a batch, or could not be started with the requested options. */
public class InferenceException extends RuntimeException {
    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
