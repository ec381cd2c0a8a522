package dev.clstream.serde;

/**
 * The registry refused to register a schema because it is incompatible with the subject's
 * earlier versions (HTTP 409). The message includes the registry's own explanation.
 */
public class IncompatibleSchemaException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    private final String subject;

    public IncompatibleSchemaException(String subject, String message, int status, int errorCode) {
        super(message, status, errorCode);
        this.subject = subject;
    }

    public String subject() {
        return subject;
    }
}
