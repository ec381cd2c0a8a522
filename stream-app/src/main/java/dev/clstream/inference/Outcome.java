package dev.clstream.inference;

/** One text's result when a whole list is classified: a prediction, or the reason it has none. */
public sealed interface Outcome permits Outcome.Success, Outcome.Failure {

    record Success(Prediction prediction) implements Outcome {}

    /**
     * @param reason a short stable code ({@code empty_text}, {@code inference_failed}, ...)
     * @param message what went wrong, for people
     */
    record Failure(String reason, String message) implements Outcome {}
}
