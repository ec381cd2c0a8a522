package dev.clstream.tokenize;

/**
 * One text as the encoder sees it: token ids with the special tokens in place ({@code [CLS]} first),
 * token type ids, and whether the text was cut at the bundle's max length.
 */
public record TokenizedText(long[] ids, long[] typeIds, boolean truncated) {

    public TokenizedText {
        if (ids.length != typeIds.length) {
            throw new IllegalArgumentException("ids and typeIds differ in length: " + ids.length + " vs " + typeIds.length);
        }
    }

    /** Token count including the special tokens; what the encoder pays for. */
    public int length() {
        return ids.length;
    }
}
