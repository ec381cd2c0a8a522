package dev.clstream.event;

/**
 * A text shortened for people to read on one line: the live page's lists, the demo's event lines,
 * verify-bundle's report. White space runs become one space, and a text longer than the limit is
 * cut with an ellipsis. It reads only as far as it keeps, so a 1 MB text costs no more than a short
 * one, and never cuts between the two halves of a surrogate pair.
 */
public final class TextPreview {
    private TextPreview() {}

    /** {@code text} on one line, at most {@code max} characters (the ellipsis included); "" for null. */
    public static String oneLine(String text, int max) {
        if (max < 2) {
            throw new IllegalArgumentException("a preview needs room for a character and the ellipsis, got " + max);
        }
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max + 1));
        boolean space = false;
        for (int i = 0; i < text.length() && sb.length() <= max; i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                space = sb.length() > 0;
            } else {
                if (space) {
                    sb.append(' ');
                    space = false;
                }
                sb.append(c);
            }
        }
        if (sb.length() <= max) {
            return sb.toString();
        }
        // Not between the two halves of a surrogate pair: half a character shows as garbage.
        int end = Character.isHighSurrogate(sb.charAt(max - 2)) ? max - 2 : max - 1;
        sb.setLength(end);
        return sb.append('…').toString();
    }
}
