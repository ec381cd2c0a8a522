package dev.clstream.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.opentest4j.AssertionFailedError;

/** Assertions on what an error tells its reader. */
public final class Messages {
    private Messages() {}

    /** The message of {@code e} names every one of {@code parts}; a failure shows the whole message. */
    public static void assertMessageNames(Throwable e, String... parts) {
        assertNotNull(e, "expected an exception");
        String message = e.getMessage();
        for (String part : parts) {
            if (message == null || !message.contains(part)) {
                throw new AssertionFailedError("the message does not name '" + part + "': " + message, e);
            }
        }
    }
}
