package dev.clstream.topology;

/** A record clstream could not process, as written to the dead-letter topic (see schemas/DeadLetter.avsc). */
public record DeadLetterOutput(String reason, String message, String stage, String sourceTopic, int sourcePartition,
                               long sourceOffset, byte[] originalKey, byte[] originalValue, long failedTime,
                               String modelName, String modelVersion) {

    /** Pipeline stages a record can fail in. */
    public static final String DECODE = "decode";
    public static final String VALIDATE = "validate";
    public static final String TOKENIZE = "tokenize";
    public static final String INFERENCE = "inference";
}
