package dev.clstream.tokenize;

/**
 * Makes any Java string safe to hand to the native tokenizer: an unpaired surrogate has no UTF-8
 * form, and the JNI bridge would otherwise have to guess what to do with it.
 */
final class TextSanitizer {
    static final char REPLACEMENT = '\uFFFD';

    private TextSanitizer() {}

    static String replaceUnpairedSurrogates(String text) {
        StringBuilder out = null;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
                continue;
            }
            boolean lone = Character.isSurrogate(c);
            if (lone && out == null) {
                out = new StringBuilder(n).append(text, 0, i);
            }
            if (out != null) {
                out.append(lone ? REPLACEMENT : c);
            }
        }
        return out == null ? text : out.toString();
    }
}
