package dev.clstream.runtime;

/** The cluster lacks a topic the app needs, or holds state the app cannot use: start-up stops, saying what to do. */
public final class TopicsNotReadyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TopicsNotReadyException(String message) {
        super(message);
    }
}
