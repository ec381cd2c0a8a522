package dev.clstream.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.clstream.testing.TinyTokenizerJson;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prefix shortcut in {@link TextTokenizer} must give exactly the tokens of the full text. */
class PrefixShortcutTest {

    private static final int MAX_LENGTH = 32; // prefix budget = 32 x 32 = 1024 characters

    @TempDir
    Path dir;

    @Test
    void wordsSeparatedByWhiteSpace() throws Exception {
        assertSameAsFullText("the cat sat on the mat and ran to the dog. ".repeat(200));
    }

    @Test
    void longWordsWithoutWhiteSpaceCutInsideAWord() throws Exception {
        // Each 121-character unit is [UNK] '.' in full; the cut at 1024 falls 56 characters into the 9th word.
        assertSameAsFullText(("x".repeat(120) + ".").repeat(20));
    }

    private void assertSameAsFullText(String text) throws Exception {
        Path file = TinyTokenizerJson.write(dir);
        try (TextTokenizer ours = TextTokenizer.load(file, MAX_LENGTH);
             HuggingFaceTokenizer full = HuggingFaceTokenizer.builder().optTokenizerPath(file).optMaxLength(MAX_LENGTH)
                     .optTruncation(true).optPadding(false).build()) {
            Encoding expected = full.encode(text);
            TokenizedText actual = ours.tokenize(text);
            assertArrayEquals(expected.getIds(), actual.ids());
            assertEquals(expected.exceedMaxLength(), actual.truncated());
        }
    }
}
