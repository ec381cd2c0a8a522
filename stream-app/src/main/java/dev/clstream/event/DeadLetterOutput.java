package dev.clstream.event;

/**
 * A record clstream could not process, as written to the dead-letter topic (see schemas/DeadLetter.avsc). The stage
 * is the reason's own; the model is named only when it had a part in the failure.
 */
public record DeadLetterOutput(DeadLetterReason reason, String message, String sourceTopic, int sourcePartition,
                               long sourceOffset, byte[] originalKey, byte[] originalValue, long failedTime,
                               String modelName, String modelVersion) {

    public DeadLetterReason.Stage stage() {
        return reason.stage();
    }
}
