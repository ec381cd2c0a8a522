package dev.clstream.inference;

import dev.clstream.event.DeadLetterReason;
import dev.clstream.tokenize.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@link InferenceEngine#predictIsolating} call: a window that fails in the encoder is retried
 * with a short backoff (the fault may be passing: memory, a busy device); if it keeps failing it is
 * split in halves until the failing texts are alone, and a text alone is retried too. A text that
 * still fails alone is the text's fault only if the encoder runs its probe text; otherwise the
 * encoder is at fault and nothing is dead-lettered ({@link EncoderStalledException}).
 */
final class FaultIsolation {
    /** Backoff before each retry: three tries in all, within about 0.3 s. */
    static final long[] RETRY_BACKOFF_MS = {50, 250};

    private final InferenceEngine engine;
    private final long deadlineNanos;
    private long paddedTokens;
    private int retries;
    private Boolean probeRuns;

    FaultIsolation(InferenceEngine engine, long deadlineNanos) {
        this.engine = engine;
        this.deadlineNanos = deadlineNanos;
    }

    Predictions predict(List<TokenizedText> texts) {
        List<Outcome> out = new ArrayList<>(texts.size());
        isolate(texts, out, true);
        long tokens = 0;
        for (TokenizedText t : texts) {
            tokens += t.length();
        }
        return new Predictions(out, paddedTokens, retries, tokens);
    }

    private void isolate(List<TokenizedText> texts, List<Outcome> out, boolean retry) {
        RunPlan plan = engine.plan(texts);
        InferenceException last = null;
        int tries = retry || texts.size() == 1 ? RETRY_BACKOFF_MS.length + 1 : 1;
        for (int attempt = 0; attempt < tries; attempt++) {
            if (attempt > 0 && !backOff(RETRY_BACKOFF_MS[attempt - 1])) {
                break;
            }
            paddedTokens += plan.paddedTokens();
            try {
                engine.run(texts, plan, deadlineNanos).forEach(p -> out.add(new Outcome.Success(p)));
                return;
            } catch (InferenceException e) {
                last = e;
            }
        }
        if (texts.isEmpty()) {
            return;
        }
        if (texts.size() > 1) {
            int half = texts.size() / 2;
            isolate(texts.subList(0, half), out, false);
            isolate(texts.subList(half, texts.size()), out, false);
            return;
        }
        if (!probeRuns()) {
            throw new EncoderStalledException("the encoder fails even on its probe text, so the fault is the "
                    + "encoder's, not the text's: " + last.getMessage(), last);
        }
        out.add(new Outcome.Failure(DeadLetterReason.INFERENCE_FAILED, last.getMessage()));
    }

    private boolean probeRuns() {
        if (probeRuns == null) {
            probeRuns = engine.runsProbe(deadlineNanos);
        }
        return probeRuns;
    }

    /** Sleeps before a retry; false when the time limit would pass first. */
    private boolean backOff(long ms) {
        if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() + ms * 1_000_000 >= deadlineNanos) {
            return false;
        }
        retries++;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EncoderStalledException("interrupted while retrying the encoder", e);
        }
        return true;
    }
}
