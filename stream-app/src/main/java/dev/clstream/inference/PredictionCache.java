package dev.clstream.inference;

import dev.clstream.tokenize.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The results of recently seen token sequences, for one engine (one model version): streams repeat
 * themselves (campaigns, templated notifications, retried sends), and a repeat need not go through the
 * encoder again. A text is found by its token ids and token type ids, every window's, compared in full
 * (the hash only picks the bucket), so two texts share a result only when the encoder would have seen
 * the same input. A hit hands back the very embedding and probabilities the first computation gave:
 * bit-identical, whatever runs or batch shapes the encoder used then. Bounded by an estimate of the bytes
 * its entries hold, least recently used first out; thread-safe (stream threads share one engine).
 */
public final class PredictionCache {
    /** What an entry holds besides its arrays: key, entry and map node objects and array headers (one head's too). */
    static final int ENTRY_OVERHEAD_BYTES = 160;
    /** What each further head adds besides its probabilities: its Classification and the array's header. */
    static final int HEAD_OVERHEAD_BYTES = 32;

    private final long maxBytes;
    private final LinkedHashMap<Key, Result> entries = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;
    private long evictions;

    /** @param maxBytes the bound on the entries' estimated size; 0 turns the cache off */
    public PredictionCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("the cache's size must be >= 0 bytes, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The embedding and every head's classification one token sequence gave. */
    private record Result(float[] embedding, List<Classification> heads) {}

    /**
     * A token sequence compared in full: for each window its length, ids and type ids, as ints (a
     * vocabulary has far fewer than 2^31 entries). The hash is computed once, since LRU lookups hash
     * every key at least twice.
     */
    private static final class Key {
        private final int[] tokens;
        private final int hash;

        private Key(int[] tokens) {
            this.tokens = tokens;
            this.hash = Arrays.hashCode(tokens);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && Arrays.equals(tokens, k.tokens);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The key of {@code text}; null when an id does not fit an int, which is then never cached. */
    private static Key key(TokenizedText text) {
        int[] out = new int[text.windowCount() + 2 * text.length()];
        int i = 0;
        for (TokenizedText.Window w : text.windows()) {
            out[i++] = w.length();
            for (long[] values : List.of(w.ids(), w.typeIds())) {
                for (long v : values) {
                    if (v != (int) v) {
                        return null;
                    }
                    out[i++] = (int) v;
                }
            }
        }
        return new Key(out);
    }

    public boolean enabled() {
        return maxBytes > 0;
    }

    /**
     * Answers each text from the cache where it can and sends the rest, each distinct sequence once, to
     * {@code encode}; successes are remembered. Outcomes come back in the order given; a text repeated
     * within {@code texts} gets the result its first occurrence got.
     */
    public Predictions predict(List<TokenizedText> texts, Function<List<TokenizedText>, Predictions> encode) {
        if (!enabled()) {
            return encode.apply(texts);
        }
        Outcome[] out = new Outcome[texts.size()];
        // Distinct sequences to encode, and where in texts each one's result goes.
        Map<Key, List<Integer>> pending = new LinkedHashMap<>();
        List<TokenizedText> toEncode = new ArrayList<>();
        List<List<Integer>> targets = new ArrayList<>();
        List<Key> keys = new ArrayList<>();
        int answered = 0;
        for (int i = 0; i < texts.size(); i++) {
            TokenizedText text = texts.get(i);
            Key key = key(text);
            Result hit = key == null ? null : lookUp(key);
            if (hit != null) {
                out[i] = success(text, hit);
                answered++;
                continue;
            }
            List<Integer> where = key == null ? null : pending.get(key);
            if (where != null) {
                where.add(i);
                answered++;
                continue;
            }
            where = new ArrayList<>(List.of(i));
            if (key != null) {
                pending.put(key, where);
            }
            toEncode.add(text);
            targets.add(where);
            keys.add(key);
        }
        synchronized (this) {
            hits += answered;
            misses += toEncode.size();
        }
        Predictions computed = toEncode.isEmpty() ? new Predictions(List.of(), 0, 0, 0)
                : encode.apply(toEncode);
        for (int j = 0; j < toEncode.size(); j++) {
            Outcome outcome = computed.outcomes().get(j);
            if (outcome instanceof Outcome.Success s && keys.get(j) != null) {
                Result result = new Result(s.prediction().embedding(), s.prediction().heads());
                remember(keys.get(j), result);
                for (int i : targets.get(j)) {
                    out[i] = success(texts.get(i), result);
                }
            } else {
                for (int i : targets.get(j)) {
                    out[i] = outcome;
                }
            }
        }
        return new Predictions(Arrays.asList(out), computed.paddedTokens(), computed.retries(),
                computed.encodedTokens());
    }

    /**
     * Whether {@code text} would be answered from the cache now, without making it more recent: the
     * micro-batcher counts only the encoder's work against its time budget.
     */
    public boolean contains(TokenizedText text) {
        if (!enabled()) {
            return false; // asked for every waiting event at every flush: no lock, no key, when there is no cache
        }
        Key key = key(text);
        if (key == null) {
            return false;
        }
        synchronized (this) {
            return entries.containsKey(key);
        }
    }

    // The same arrays for every text with this sequence; a text's own facts (truncated or not) are its own.
    private static Outcome success(TokenizedText text, Result r) {
        return new Outcome.Success(Prediction.of(text, r.embedding(), r.heads()));
    }

    private synchronized Result lookUp(Key key) {
        return entries.get(key);
    }

    private synchronized void remember(Key key, Result result) {
        long size = size(key, result);
        if (size > maxBytes) {
            return;
        }
        Result previous = entries.put(key, result);
        bytes += size - (previous == null ? 0 : size(key, previous));
        Iterator<Map.Entry<Key, Result>> oldestFirst = entries.entrySet().iterator();
        while (bytes > maxBytes) {
            Map.Entry<Key, Result> eldest = oldestFirst.next();
            bytes -= size(eldest.getKey(), eldest.getValue());
            oldestFirst.remove();
            evictions++;
        }
    }

    private static long size(Key key, Result r) {
        long size = ENTRY_OVERHEAD_BYTES + 4L * key.tokens.length + 4L * r.embedding().length;
        for (int h = 0; h < r.heads().size(); h++) {
            size += (h == 0 ? 0 : HEAD_OVERHEAD_BYTES) + 4L * r.heads().get(h).probabilities().length;
        }
        return size;
    }

    /** Texts answered without the encoder: found in the cache, or repeated within one call. */
    public synchronized long hits() {
        return hits;
    }

    /** Texts that went to the encoder while the cache was on. */
    public synchronized long misses() {
        return misses;
    }

    /** Entries dropped to stay within {@link #maxBytes()}. */
    public synchronized long evictions() {
        return evictions;
    }

    /** The entries' estimated size now; never above {@link #maxBytes()}. */
    public synchronized long bytes() {
        return bytes;
    }

    public synchronized int size() {
        return entries.size();
    }

    public long maxBytes() {
        return maxBytes;
    }
}
