package dev.clstream.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Outcome;
import dev.clstream.inference.Prediction;
import dev.clstream.testing.TestBundles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Awkward inputs through the real tokenizer and encoder: a result or a named error, never a crash. */
class EdgeInputTest {
    static final int MAX_LENGTH = 128;
    @TempDir
    static Path dir;
    static InferenceEngine engine;

    @BeforeAll
    static void open() {
        engine = InferenceEngine.open(TestBundles.bgeSmall(dir, MAX_LENGTH), EncoderOptions.defaults());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void emptyAndBlankTextsAreNamedErrors() {
        List<Outcome> out = engine.classify(List.of("", " ", "\t\n \r\n", "fine text"));
        assertFailure(out.get(0), "empty_text");
        assertFailure(out.get(1), "blank_text");
        assertFailure(out.get(2), "blank_text");
        assertInstanceOf(Outcome.Success.class, out.get(3));
    }

    @Test
    void oneMegabyteIsTruncatedAndFlagged() {
        String words = "spam ham eggs lorem ipsum dolor sit amet ";
        String huge = words.repeat(1_000_000 / words.length() + 1);
        assertTrue(huge.length() >= 1_000_000);
        long start = System.nanoTime();
        TokenizedText t = engine.tokenize(huge);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(t.truncated(), "1 MB text must be flagged as truncated");
        assertEquals(MAX_LENGTH, t.length());
        Prediction p = engine.predict(List.of(t)).get(0);
        assertTrue(p.truncated());
        assertEquals(MAX_LENGTH, p.tokens());
        System.out.println("1 MB text tokenised in " + millis + " ms");
    }

    @Test
    void prefixShortcutGivesTheSameTokensAsTheFullText() throws Exception {
        String english = "The quick brown fox jumps over the lazy dog, again and again. ".repeat(2000);
        String cjk = "日本語のテキストも処理できます。".repeat(2000);
        String noSpaces = "x".repeat(20_000) + " tail";
        try (HuggingFaceTokenizer full = HuggingFaceTokenizer.builder().optTokenizerPath(engine.bundle().tokenizerFile())
                .optMaxLength(MAX_LENGTH).optTruncation(true).optPadding(false).build()) {
            for (String text : List.of(english, cjk, noSpaces)) {
                TokenizedText ours = engine.tokenize(text);
                assertArrayEquals(full.encode(text).getIds(), ours.ids(), "ids for a text starting '"
                        + text.substring(0, 20) + "'");
                assertEquals(full.encode(text).exceedMaxLength(), ours.truncated());
            }
        }
    }

    @Test
    void unusualScriptsAndCharactersGetResults() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("emoji", "Great deal 🎉🔥💰 act now 👉👉 😀");
        cases.put("emoji only", "🎉🔥💰");
        cases.put("cjk", "免费赠品，立即点击领取！今日限定。");
        cases.put("korean", "무료 상품을 받으려면 지금 클릭하세요");
        cases.put("arabic (rtl)", "اربح جائزة نقدية الآن، اضغط هنا");
        cases.put("hebrew (rtl)", "זכית בפרס! לחץ כאן עכשיו");
        cases.put("rtl marks", "\u202Eevil text\u202C and \u200Fmarks\u200E");
        cases.put("control characters", "hello\u0000world\u0007 bell\u001b[31m red\u0008");
        cases.put("unpaired high surrogate", "broken \uD83D here");
        cases.put("unpaired low surrogate", "broken \uDE00 here");
        cases.put("surrogate at end", "ends with \uD83D");
        cases.put("zero width", "zero\u200Bwidth\uFEFFjoiners");
        cases.put("combining marks", "Z̷̢̛a̶l̸g̵o̶ text");
        List<Outcome> out = engine.classify(List.copyOf(cases.values()));
        int i = 0;
        for (String name : cases.keySet()) {
            Outcome o = out.get(i++);
            assertInstanceOf(Outcome.Success.class, o, name + ": " + o);
            Prediction p = ((Outcome.Success) o).prediction();
            assertEquals(384, p.embedding().length, name);
            for (float v : p.embedding()) {
                assertTrue(Float.isFinite(v), name + ": embedding must be finite");
            }
            assertFalse(p.truncated(), name);
        }
    }

    @Test
    void onlyControlCharactersIsANamedError() {
        assertFailure(engine.classify(List.of("\u0000\u0001\u0002\u0007")).get(0), "no_tokens");
    }

    private static void assertFailure(Outcome o, String reason) {
        Outcome.Failure f = assertInstanceOf(Outcome.Failure.class, o);
        assertEquals(reason, f.reason().code(), f.message());
    }
}
