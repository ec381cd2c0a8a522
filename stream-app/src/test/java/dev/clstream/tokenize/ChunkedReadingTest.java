package dev.clstream.tokenize;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.TextStrategy;
import dev.clstream.event.DeadLetterReason;
import dev.clstream.testing.TinyTokenizerJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long texts read in windows ({@link TextStrategy#chunks}): each window at most max_length tokens with its own
 * [CLS] ... [SEP], the next starting {@code overlap} tokens back, up to max_chunks, the rest flagged as truncated.
 * One letter of the tiny vocabulary is one token, so a text of n letters has n tokens of text.
 */
class ChunkedReadingTest {
    private static final int MAX_LENGTH = 10; // 8 tokens of text between [CLS] and [SEP]

    @TempDir
    Path dir;

    /** n one-token words: a, b, c, ... */
    private static String letters(int n) {
        return IntStream.range(0, n).mapToObj(i -> String.valueOf((char) ('a' + i % 26))).collect(Collectors.joining(" "));
    }

    private TextTokenizer load(TextStrategy strategy) throws Exception {
        return TextTokenizer.load(TinyTokenizerJson.write(dir), MAX_LENGTH, strategy);
    }

    /** The text's tokens between the special tokens, from a tokenizer that never truncates them. */
    private long[] content(String text) throws Exception {
        try (TextTokenizer whole = TextTokenizer.load(TinyTokenizerJson.write(dir), 10_000)) {
            long[] ids = whole.tokenize(text).ids();
            return Arrays.copyOfRange(ids, 1, ids.length - 1);
        }
    }

    private static long[] inner(TokenizedText.Window w) {
        return Arrays.copyOfRange(w.ids(), 1, w.length() - 1);
    }

    @Test
    void windowsAreAtMostMaxLengthEachWithItsSpecialTokensAndTogetherHoldTheWholeText() throws Exception {
        String text = letters(20);
        try (TextTokenizer chunks = load(TextStrategy.chunks(8, 0)); TextTokenizer truncating = load(TextStrategy.TRUNCATE)) {
            TokenizedText t = chunks.tokenize(text);
            assertEquals(List.of(10, 10, 6), t.windows().stream().map(TokenizedText.Window::length).toList(),
                    "8 + 8 + 4 tokens of text, each between [CLS] and [SEP]");
            long cls = truncating.tokenize("a").ids()[0];
            long sep = truncating.tokenize("a").ids()[2];
            for (TokenizedText.Window w : t.windows()) {
                assertEquals(cls, w.ids()[0]);
                assertEquals(sep, w.ids()[w.length() - 1]);
                assertEquals(w.length(), w.typeIds().length);
            }
            List<Long> joined = new ArrayList<>();
            t.windows().forEach(w -> Arrays.stream(inner(w)).forEach(joined::add));
            assertArrayEquals(content(text), joined.stream().mapToLong(Long::longValue).toArray());
            assertFalse(t.truncated(), "every token was read");
            assertEquals(26, t.length(), "what the encoder pays for: every window's tokens");
            assertArrayEquals(truncating.tokenize(text).ids(), t.ids(), "the first window is what truncation reads");
        }
    }

    @Test
    void eachWindowRepeatsTheOverlapFromTheOneBefore() throws Exception {
        try (TextTokenizer chunks = load(TextStrategy.chunks(8, 3))) {
            TokenizedText t = chunks.tokenize(letters(20));
            // Text tokens [0, 8), [5, 13), [10, 18), [15, 20).
            assertEquals(4, t.windowCount());
            long[] all = content(letters(20));
            int[][] expected = {{0, 8}, {5, 13}, {10, 18}, {15, 20}};
            for (int i = 0; i < expected.length; i++) {
                assertArrayEquals(Arrays.copyOfRange(all, expected[i][0], expected[i][1]), inner(t.windows().get(i)),
                        "window " + i);
            }
            assertFalse(t.truncated());
        }
    }

    @Test
    void aTextOfExactlyMaxLengthTokensIsOneWindowAndOneMoreTokenMakesTwo() throws Exception {
        try (TextTokenizer chunks = load(TextStrategy.chunks(4, 0))) {
            TokenizedText exact = chunks.tokenize(letters(8));
            assertEquals(1, exact.windowCount());
            assertEquals(MAX_LENGTH, exact.length());
            assertFalse(exact.truncated());
            TokenizedText oneMore = chunks.tokenize(letters(9));
            assertEquals(List.of(10, 3), oneMore.windows().stream().map(TokenizedText.Window::length).toList());
            assertFalse(oneMore.truncated());
        }
    }

    @Test
    void textBeyondTheLastWindowIsLeftAndFlaggedAsTruncated() throws Exception {
        try (TextTokenizer chunks = load(TextStrategy.chunks(2, 0))) {
            TokenizedText t = chunks.tokenize(letters(30));
            assertEquals(2, t.windowCount(), "max_chunks reached");
            assertTrue(t.truncated());
            assertFalse(chunks.tokenize(letters(16)).truncated(), "two full windows hold 16 tokens exactly");
            assertTrue(chunks.tokenize(letters(17)).truncated());
        }
    }

    @Test
    void aVeryLongTextIsReadFromAPrefixWithTheSameWindows() throws Exception {
        String text = letters(20) + " " + "z ".repeat(200_000);
        try (TextTokenizer chunks = load(TextStrategy.chunks(3, 2))) {
            TokenizedText t = chunks.tokenize(text);
            TokenizedText head = chunks.tokenize(letters(20) + " z z z z z z z z z z");
            assertEquals(head.windowCount(), t.windowCount());
            for (int i = 0; i < t.windowCount(); i++) {
                assertArrayEquals(head.windows().get(i).ids(), t.windows().get(i).ids());
            }
            assertTrue(t.truncated());
        }
    }

    @Test
    void aTextWithNoTokensIsStillRefused() throws Exception {
        try (TextTokenizer chunks = load(TextStrategy.chunks(4, 0))) {
            InvalidTextException e = assertThrows(InvalidTextException.class, () -> chunks.tokenize("\u0001\u0002"));
            assertEquals(DeadLetterReason.NO_TOKENS, e.reason());
        }
    }

    @Test
    void anOverlapThatLeavesNoNewTokenIsRefusedAtLoad() {
        BundleException e = assertThrows(BundleException.class, () -> load(TextStrategy.chunks(4, 8)));
        assertMessageNames(e, "text.overlap 8", "below 8");
    }
}
