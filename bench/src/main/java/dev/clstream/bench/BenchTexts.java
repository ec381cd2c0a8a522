package dev.clstream.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.export.data.SpamAssassinCorpus;
import dev.clstream.export.data.SpamAssassinCorpus.Message;
import dev.clstream.tokenize.InvalidTextException;
import dev.clstream.tokenize.TextTokenizer;
import dev.clstream.tokenize.TokenizedText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The benchmark's texts: a fixed, seeded sample of {@value #COUNT} SpamAssassin messages, as two
 * sets. Every text is cut so that it tokenises to at most {@value BenchFixture#MAX_LENGTH} tokens
 * including [CLS]/[SEP] (at the end character of the last token a 128-token tokenizer keeps), so
 * langchain4j, which truncates only at 510, does the same work as the engine and the bare loop.
 */
public final class BenchTexts {
    /** Texts per benchmark operation; JMH's {@code @OperationsPerInvocation} needs it as a constant. */
    public static final int COUNT = 96;
    public static final long SEED = 20261123L;
    public static final String SHORT = "short";
    public static final String EMAIL128 = "email128";
    public static final List<String> SET_NAMES = List.of(SHORT, EMAIL128);

    /** One set: the texts, their token counts (clstream's tokenizer, max 128), and how many were cut. */
    public record TextSet(String name, List<String> texts, int[] tokens, int cut) {
        public double meanTokens() {
            return Arrays.stream(tokens).average().orElse(0);
        }

        public int percentile(double p) {
            int[] s = tokens.clone();
            Arrays.sort(s);
            return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
        }

        public String describe() {
            return String.format(Locale.ROOT, "%-8s %d texts, tokens incl. [CLS]/[SEP]: mean %.1f, min %d, p50 %d, "
                            + "p90 %d, max %d; %d texts cut to fit %d tokens", name, texts.size(), meanTokens(),
                    percentile(0.0001), percentile(50), percentile(90), percentile(100), cut, BenchFixture.MAX_LENGTH);
        }
    }

    private static BenchTexts loaded;

    private final Map<String, TextSet> sets;
    private final int spam;
    private final int ham;

    private BenchTexts(Map<String, TextSet> sets, int spam, int ham) {
        this.sets = sets;
        this.spam = spam;
        this.ham = ham;
    }

    public static synchronized BenchTexts load() {
        if (loaded == null) {
            loaded = build(BenchFixture.corpusFile(), BenchFixture.bundle());
        }
        return loaded;
    }

    public TextSet set(String name) {
        TextSet s = sets.get(name);
        if (s == null) {
            throw new IllegalArgumentException("text set '" + name + "' is not one of " + sets.keySet());
        }
        return s;
    }

    public String describeSample() {
        return String.format(Locale.ROOT, "%d SpamAssassin messages (seed %d shuffle, first %d usable): %d spam, %d ham",
                COUNT, SEED, COUNT, spam, ham);
    }

    static BenchTexts build(Path corpus, ModelBundle bundle) {
        List<Message> messages = new ArrayList<>(SpamAssassinCorpus.read(corpus));
        Collections.shuffle(messages, new Random(SEED));
        Path tokenizerFile = bundle.tokenizerFile();
        try (HuggingFaceTokenizer cutter = HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerFile)
                .optAddSpecialTokens(true)
                .optTruncation(true)
                .optPadding(false)
                .optMaxLength(BenchFixture.MAX_LENGTH)
                .build();
             TextTokenizer engineTokenizer = TextTokenizer.load(tokenizerFile, BenchFixture.MAX_LENGTH);
             TextTokenizer untruncated = TextTokenizer.load(tokenizerFile, 1 << 16)) {
            List<String> shortTexts = new ArrayList<>();
            List<String> emailTexts = new ArrayList<>();
            int[] cuts = new int[2];
            int spam = 0;
            int ham = 0;
            for (Message m : messages) {
                if (shortTexts.size() == COUNT) {
                    break;
                }
                String s = cutToMaxLength(cutter, untruncated, sanitize(m.shortText(200)));
                String e = cutToMaxLength(cutter, untruncated, sanitize(m.eventText()));
                if (!usable(engineTokenizer, s) || !usable(engineTokenizer, e)) {
                    continue;
                }
                cuts[0] += s.length() < sanitize(m.shortText(200)).length() ? 1 : 0;
                cuts[1] += e.length() < sanitize(m.eventText()).length() ? 1 : 0;
                shortTexts.add(s);
                emailTexts.add(e);
                if (m.label().equals("spam")) {
                    spam++;
                } else {
                    ham++;
                }
            }
            if (shortTexts.size() < COUNT) {
                throw new IllegalStateException(corpus + " has only " + shortTexts.size() + " usable messages");
            }
            Map<String, TextSet> sets = new LinkedHashMap<>();
            sets.put(SHORT, new TextSet(SHORT, List.copyOf(shortTexts), lengths(engineTokenizer, shortTexts), cuts[0]));
            sets.put(EMAIL128, new TextSet(EMAIL128, List.copyOf(emailTexts), lengths(engineTokenizer, emailTexts),
                    cuts[1]));
            return new BenchTexts(sets, spam, ham);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + tokenizerFile, e);
        }
    }

    /**
     * The longest prefix of {@code text} that ends where the last token kept by a 128-token
     * tokenizer ends. DJL's spans count Unicode code points, hence the conversion to a UTF-16 index.
     * The prefix is checked by tokenising it again untruncated; in the rare case that a cut inside a
     * word makes more tokens, one more token is dropped.
     */
    static String cutToMaxLength(HuggingFaceTokenizer cutter, TextTokenizer untruncated, String text) {
        Encoding enc = cutter.encode(text);
        if (!enc.exceedMaxLength()) {
            return text;
        }
        long[] special = enc.getSpecialTokenMask();
        CharSpan[] spans = enc.getCharTokenSpans();
        for (int last = special.length - 1; last >= 0; last--) {
            if (special[last] != 0 || spans[last] == null) {
                continue;
            }
            String cut = text.substring(0, text.offsetByCodePoints(0, spans[last].getEnd()));
            if (untruncated.tokenize(cut).length() <= BenchFixture.MAX_LENGTH) {
                return cut;
            }
        }
        throw new IllegalStateException("cannot cut a text to " + BenchFixture.MAX_LENGTH + " tokens");
    }

    private static boolean usable(TextTokenizer tokenizer, String text) {
        try {
            tokenizer.tokenize(text);
            return !text.isBlank();
        } catch (InvalidTextException e) {
            return false;
        }
    }

    private static int[] lengths(TextTokenizer tokenizer, List<String> texts) {
        return texts.stream().map(tokenizer::tokenize).mapToInt(TokenizedText::length).toArray();
    }

    /** Unpaired surrogates become U+FFFD, so every contender's tokenizer sees the same valid string. */
    static String sanitize(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired = Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                    : !Character.isLowSurrogate(c) || (i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            if (!paired) {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, '\uFFFD');
            }
        }
        return sb == null ? s : sb.toString();
    }
}
