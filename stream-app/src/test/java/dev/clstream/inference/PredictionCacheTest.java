package dev.clstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.event.DeadLetterReason;
import dev.clstream.testing.TestBundles;
import dev.clstream.tokenize.TokenizedText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache of repeated token sequences: full-key matches, bit-identical hits, a bound in bytes, LRU order. */
class PredictionCacheTest {
    private static final int HIDDEN = 8;

    /** A stand-in encoder: each distinct text gets fresh arrays, and every text it is given is recorded. */
    private final List<TokenizedText> encoded = new ArrayList<>();
    private final Function<List<TokenizedText>, Predictions> encoder = texts -> {
        encoded.addAll(texts);
        List<Outcome> out = new ArrayList<>();
        long tokens = 0;
        for (TokenizedText t : texts) {
            tokens += t.length();
            if (t.ids()[1] == 666) {
                out.add(new Outcome.Failure(DeadLetterReason.INFERENCE_FAILED, "bad"));
                continue;
            }
            float[] h0 = new float[HIDDEN];
            Arrays.fill(h0, t.ids()[1] + encoded.size() / 1000f);
            out.add(new Outcome.Success(Prediction.of(t, h0,
                    List.of(new Classification(TestBundles.TINY_LABELS, new float[] {0.25f, 0.75f})))));
        }
        return new Predictions(out, tokens, 0, tokens);
    };

    private static TokenizedText text(long... middle) {
        long[] ids = new long[middle.length + 2];
        ids[0] = 101;
        System.arraycopy(middle, 0, ids, 1, middle.length);
        ids[ids.length - 1] = 102;
        return new TokenizedText(ids, new long[ids.length], false);
    }

    private static Prediction prediction(Predictions p, int i) {
        return assertInstanceOf(Outcome.Success.class, p.outcomes().get(i)).prediction();
    }

    @Test
    void aRepeatIsAnsweredWithoutTheEncoderAndWithTheSameResult() {
        PredictionCache cache = new PredictionCache(1 << 20);
        Predictions first = cache.predict(List.of(text(7, 8), text(9)), encoder);
        Predictions second = cache.predict(List.of(text(9), text(7, 8), text(10)), encoder);

        assertEquals(3, encoded.size(), "only text(10) was new the second time");
        assertSame(prediction(first, 0).embedding(), prediction(second, 1).embedding(), "bit-identical: the same array");
        assertSame(prediction(first, 1).classification(), prediction(second, 0).classification());
        assertEquals(3, second.encodedTokens(), "only the miss's tokens count as the encoder's work");
        assertEquals(2, cache.hits());
        assertEquals(3, cache.misses());
    }

    @Test
    void aTextRepeatedInOneWindowIsEncodedOnce() {
        PredictionCache cache = new PredictionCache(1 << 20);
        Predictions p = cache.predict(List.of(text(5), text(6), text(5), text(5)), encoder);
        assertEquals(2, encoded.size());
        assertSame(prediction(p, 0).embedding(), prediction(p, 3).embedding());
        assertEquals(2, cache.hits());
    }

    @Test
    void keysAreComparedInFullNotByHash() {
        // Arrays.hashCode is 31 * h + v: raising one id by 1 and the next by -31 keeps the hash.
        TokenizedText a = text(5, 102);
        TokenizedText b = text(6, 71);
        assertEquals(Arrays.hashCode(new int[] {4, 101, 5, 102, 102, 0, 0, 0, 0}),
                Arrays.hashCode(new int[] {4, 101, 6, 71, 102, 0, 0, 0, 0}), "the two keys' hashes collide");
        PredictionCache cache = new PredictionCache(1 << 20);
        cache.predict(List.of(a), encoder);
        Predictions other = cache.predict(List.of(b), encoder);
        assertEquals(2, encoded.size(), "a colliding hash is not a hit");
        assertEquals(6f, prediction(other, 0).embedding()[0], 0.01f);
    }

    @Test
    void staysWithinItsBytesDroppingTheLeastRecentlyUsed() {
        long oneEntry = PredictionCache.ENTRY_OVERHEAD_BYTES + 4L * (1 + 2 * 3) + 4L * HIDDEN + 4L * 2;
        PredictionCache cache = new PredictionCache(3 * oneEntry);
        cache.predict(List.of(text(1), text(2), text(3)), encoder);
        assertEquals(3 * oneEntry, cache.bytes());
        cache.predict(List.of(text(1)), encoder); // 1 is now the most recent, 2 the least
        assertFalse(cache.contains(text(4)));
        cache.predict(List.of(text(4)), encoder);

        assertEquals(1, cache.evictions());
        assertTrue(cache.bytes() <= cache.maxBytes());
        assertFalse(cache.contains(text(2)), "the least recently used went");
        assertTrue(cache.contains(text(1)) && cache.contains(text(3)) && cache.contains(text(4)));
        for (int i = 10; i < 100; i++) {
            cache.predict(List.of(text(i)), encoder);
            assertTrue(cache.bytes() <= cache.maxBytes(), "after " + i);
        }
        assertEquals(3, cache.size());
    }

    @Test
    void containsDoesNotMakeAnEntryMoreRecent() {
        long oneEntry = PredictionCache.ENTRY_OVERHEAD_BYTES + 4L * (1 + 2 * 3) + 4L * HIDDEN + 4L * 2;
        PredictionCache cache = new PredictionCache(2 * oneEntry);
        cache.predict(List.of(text(1), text(2)), encoder);
        assertTrue(cache.contains(text(1)));
        cache.predict(List.of(text(3)), encoder);
        assertFalse(cache.contains(text(1)), "a look by the batcher's budget does not keep an entry");
    }

    @Test
    void failuresAreNotCachedAndEachTextKeepsItsOwnFacts() {
        PredictionCache cache = new PredictionCache(1 << 20);
        Predictions p = cache.predict(List.of(text(666), text(666)), encoder);
        assertInstanceOf(Outcome.Failure.class, p.outcomes().get(0));
        assertInstanceOf(Outcome.Failure.class, p.outcomes().get(1));
        cache.predict(List.of(text(666)), encoder);
        assertEquals(2, encoded.size(), "a failure is tried again next time");

        TokenizedText whole = text(7);
        TokenizedText cut = new TokenizedText(whole.ids(), whole.typeIds(), true);
        Predictions both = cache.predict(List.of(whole, cut), encoder);
        assertFalse(prediction(both, 0).truncated());
        assertTrue(prediction(both, 1).truncated(), "same tokens, but this text was cut");
    }

    @Test
    void offMeansEveryTextGoesToTheEncoder() {
        PredictionCache cache = new PredictionCache(0);
        cache.predict(List.of(text(1), text(1)), encoder);
        cache.predict(List.of(text(1)), encoder);
        assertEquals(3, encoded.size());
        assertEquals(0, cache.hits());
        assertFalse(cache.contains(text(1)));
    }

    @Test
    void theEngineAnswersARepeatFromTheCacheBitIdenticallyWithoutRunningTheEncoder(@TempDir Path dir) {
        AtomicInteger runs = new AtomicInteger();
        EncoderOptions options = EncoderOptions.builder().concurrency(1).optCacheMaxBytes(1 << 20)
                .optRunInterceptor(batch -> runs.incrementAndGet()).build();
        try (InferenceEngine engine = InferenceEngine.open(TestBundles.tiny(dir), options)) {
            TokenizedText t = engine.tokenize("the cat sat on the mat");
            Prediction miss = prediction(engine.predictIsolating(List.of(t)), 0);
            int runsAfterMiss = runs.get();
            Prediction hit = prediction(engine.predictIsolating(List.of(engine.tokenize("the cat sat on the mat"))), 0);
            assertEquals(runsAfterMiss, runs.get(), "no encoder run for the repeat");
            assertTrue(Arrays.equals(miss.embedding(), hit.embedding()));
            assertTrue(Arrays.equals(miss.classification().probabilities(), hit.classification().probabilities()));
            assertTrue(engine.cached(t));
            Prediction fresh = engine.predict(List.of(t)).get(0);
            assertNotSame(miss.embedding(), fresh.embedding(), "predict() itself always runs the encoder");
        }
    }
}
