package dev.clstream.tokenize;

import java.util.List;

/**
 * One text as the encoder sees it: one window of token ids with the special tokens in place
 * ({@code [CLS]} first) and token type ids, or several when the bundle reads long texts in chunks
 * ({@link dev.clstream.bundle.TextStrategy}); and whether text was left unread (cut at the bundle's
 * max length, or beyond its last window).
 */
public record TokenizedText(List<Window> windows, boolean truncated) {

    /** One encoder input: at most the bundle's max length, special tokens included. */
    public record Window(long[] ids, long[] typeIds) {
        public Window {
            if (ids.length != typeIds.length) {
                throw new IllegalArgumentException("ids and typeIds differ in length: " + ids.length + " vs "
                        + typeIds.length);
            }
        }

        public int length() {
            return ids.length;
        }

        /** This window alone, as a text of its own: what one row of an encoder run takes. */
        public TokenizedText asText() {
            return new TokenizedText(List.of(this), false);
        }
    }

    public TokenizedText {
        windows = List.copyOf(windows);
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("a tokenized text has at least one window");
        }
    }

    /** A text read as one window. */
    public TokenizedText(long[] ids, long[] typeIds, boolean truncated) {
        this(List.of(new Window(ids, typeIds)), truncated);
    }

    /** The first window's ids: the whole text when it fits one window. */
    public long[] ids() {
        return windows.get(0).ids();
    }

    public long[] typeIds() {
        return windows.get(0).typeIds();
    }

    /** Token count of every window, special tokens included; what the encoder pays for. */
    public int length() {
        int n = 0;
        for (Window w : windows) {
            n += w.length();
        }
        return n;
    }

    public int windowCount() {
        return windows.size();
    }
}
