package dev.clstream.serde;

/** The subject does not exist in the registry (Confluent error 40401). */
public class SubjectNotFoundException extends SchemaNotRegisteredException {
    private static final long serialVersionUID = 1L;

    public SubjectNotFoundException(String subject, String message, int status, int errorCode) {
        super(subject, message, status, errorCode);
    }
}
