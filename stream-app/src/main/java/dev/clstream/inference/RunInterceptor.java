package dev.clstream.inference;

import dev.clstream.tokenize.TokenizedText;
import java.util.List;

/**
 * Called before each encoder run with the texts it is about to run: a seam for tests that need an
 * encoder which is slow (a fixed cost per token) or fails (the first N runs). Production code sets
 * none.
 */
@FunctionalInterface
public interface RunInterceptor {
    RunInterceptor NONE = batch -> {};

    /** May sleep, or throw {@link InferenceException} to fail the run as ONNX Runtime would. */
    void beforeRun(List<TokenizedText> batch);
}
