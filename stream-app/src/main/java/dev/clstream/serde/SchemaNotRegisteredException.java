package dev.clstream.serde;

/**
 * {@link SchemaRegistryClient#lookup} found no such schema under the subject (Confluent error
 * 40403 on a subject lookup), or no such subject at all ({@link SubjectNotFoundException}).
 */
public class SchemaNotRegisteredException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    private final String subject;

    public SchemaNotRegisteredException(String subject, String message, int status, int errorCode) {
        super(message, status, errorCode);
        this.subject = subject;
    }

    public String subject() {
        return subject;
    }
}
