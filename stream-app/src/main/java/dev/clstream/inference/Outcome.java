package dev.clstream.inference;

import dev.clstream.event.DeadLetterReason;

/** One text's result when a whole list is classified: a prediction, or the reason it has none. */
public sealed interface Outcome permits Outcome.Success, Outcome.Failure {

    record Success(Prediction prediction) implements Outcome {}

    /**
     * @param reason why ({@link DeadLetterReason#EMPTY_TEXT}, {@link DeadLetterReason#INFERENCE_FAILED}, ...)
     * @param message what went wrong, for people
     */
    record Failure(DeadLetterReason reason, String message) implements Outcome {}
}
