package dev.clstream.bundle;

/** A model bundle that cannot be used; the message names the file, field or tensor at fault. */
public class BundleException extends RuntimeException {
    public BundleException(String message) {
        super(message);
    }

    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
