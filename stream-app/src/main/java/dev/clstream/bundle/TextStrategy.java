package dev.clstream.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How a bundle reads a text longer than its {@code max_length} ({@code bundle.json} "text"):
 * {@code truncate}, the first window only (the default, and what a bundle without the field does);
 * or {@code chunks}: the token sequence cut into windows of at most {@code max_length} tokens, each
 * with its own special tokens ([CLS] ... [SEP]) and {@code overlap} tokens shared with the one
 * before, up to {@code max_chunks} windows, each window's h_0 computed, and the text's
 * representation their {@code pooling} (mean). The head is trained on that representation, so the
 * strategy belongs to the bundle, not to the deployment; {@code text.max.chunks} may only lower the
 * number of windows read.
 */
public record TextStrategy(Kind kind, int maxChunks, int overlap, Pooling pooling) {
    public static final int MAX_CHUNKS_LIMIT = 64;
    public static final TextStrategy TRUNCATE = new TextStrategy(Kind.TRUNCATE, 1, 0, Pooling.MEAN);

    public enum Kind { TRUNCATE, CHUNKS }

    /** How the windows' h_0 become one vector: the element-wise mean, in window order. */
    public enum Pooling { MEAN }

    public TextStrategy {
        if (maxChunks < 1 || maxChunks > MAX_CHUNKS_LIMIT) {
            throw new IllegalArgumentException("max_chunks must be in [1, " + MAX_CHUNKS_LIMIT + "], got " + maxChunks);
        }
        if (overlap < 0) {
            throw new IllegalArgumentException("overlap must be >= 0, got " + overlap);
        }
        if (kind == Kind.TRUNCATE && (maxChunks != 1 || overlap != 0)) {
            throw new IllegalArgumentException("truncate reads one window: max_chunks 1, overlap 0");
        }
    }

    public static TextStrategy chunks(int maxChunks, int overlap) {
        return new TextStrategy(Kind.CHUNKS, maxChunks, overlap, Pooling.MEAN);
    }

    public boolean chunked() {
        return kind == Kind.CHUNKS;
    }

    /** This strategy reading at most {@code limit} windows (0: as it is). */
    public TextStrategy limitedTo(int limit) {
        return limit <= 0 || limit >= maxChunks ? this : new TextStrategy(kind, limit, overlap, pooling);
    }

    /** How the pooled vector was made, for the embeddings topic: null when one window is the text. */
    public String poolingName() {
        return chunked() ? pooling.name().toLowerCase(java.util.Locale.ROOT) : null;
    }

    /** The "text" object of bundle.json, or null for truncate (bundles without it read texts that way). */
    public ObjectNode toJson() {
        if (!chunked()) {
            return null;
        }
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("strategy", "chunks");
        n.put("max_chunks", maxChunks);
        n.put("overlap", overlap);
        n.put("pooling", poolingName());
        return n;
    }

    /**
     * Parses bundle.json's "text"; {@code where} names the file in messages. The overlap must leave
     * each window at least one new token: less than {@code maxLength - 2}.
     */
    static TextStrategy fromJson(JsonNode n, int maxLength, String where) {
        if (n == null || n.isNull()) {
            return TRUNCATE;
        }
        if (!n.isObject()) {
            throw new BundleException(where + ": field 'text' must be an object {\"strategy\": \"truncate\" | "
                    + "\"chunks\", \"max_chunks\", \"overlap\", \"pooling\": \"mean\"}, got " + n);
        }
        String strategy = n.path("strategy").asText("truncate");
        if (strategy.equals("truncate")) {
            return TRUNCATE;
        }
        if (!strategy.equals("chunks")) {
            throw new BundleException(where + ": text.strategy must be 'truncate' or 'chunks', got '" + strategy + "'");
        }
        int maxChunks = intField(n, "max_chunks", 4, 1, MAX_CHUNKS_LIMIT, where);
        int overlap = intField(n, "overlap", 0, 0, Math.max(0, maxLength - 3), where);
        String pooling = n.path("pooling").asText("mean");
        if (!pooling.equals("mean")) {
            throw new BundleException(where + ": text.pooling must be 'mean', got '" + pooling + "'");
        }
        return chunks(maxChunks, overlap);
    }

    private static int intField(JsonNode n, String field, int dflt, int min, int max, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw new BundleException(where + ": text." + field + " must be an integer in [" + min + ", " + max
                    + "], got " + v);
        }
        return v.asInt();
    }

    @Override
    public String toString() {
        return chunked() ? "chunks (up to " + maxChunks + " windows, overlap " + overlap + ", " + poolingName()
                + " of their h_0)" : "truncate";
    }
}
