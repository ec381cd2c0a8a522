package dev.clstream.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.TextStrategy;
import dev.clstream.event.DeadLetterReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A bundle's Hugging Face {@code tokenizer.json} through DJL's Rust tokenizer: special tokens added
 * ({@code [CLS] ... [SEP]}), truncation at the bundle's max length, no padding (the encoder pads
 * each batch to its own longest text). Thread-safe: the native tokenizer is immutable once built.
 */
public final class TextTokenizer implements AutoCloseable {

    /**
     * Texts longer than this many characters per allowed token are tokenised from a prefix first.
     * Tokenising 1 MB only to keep 128 tokens costs ~1000x the useful work; a prefix cut at white
     * space yields exactly the same leading tokens, and the full text is used whenever the prefix
     * turns out too short to fill the max length.
     */
    static final int PREFIX_CHARS_PER_TOKEN = 32;

    static {
        // DJL otherwise may fetch native libraries and "call home" to a cloud metadata endpoint;
        // clstream ships everything it needs and must not touch the network at run time.
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;
    private final long padId;
    private final TextStrategy strategy;
    /**
     * For chunks: the text's tokens without special tokens or truncation, and the special tokens around each window
     * (ids and type ids of the tokenizer's own [CLS] ... [SEP]: {@code lead} of them before the text, {@code trail}
     * after), set once at load.
     */
    private HuggingFaceTokenizer content;
    private long[] specialIds;
    private long[] specialTypes;
    private int lead;
    private int trail;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, int maxLength, long padId, TextStrategy strategy) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.padId = padId;
        this.strategy = strategy;
    }

    /** Loads {@code tokenizerJson}, truncating at {@code maxLength} tokens including special tokens. */
    public static TextTokenizer load(Path tokenizerJson, int maxLength) {
        return load(tokenizerJson, maxLength, TextStrategy.TRUNCATE);
    }

    /**
     * Loads {@code tokenizerJson} reading texts by {@code strategy}: truncated at {@code maxLength} tokens including
     * special tokens, or cut into windows of at most {@code maxLength} tokens, each with its own special tokens.
     */
    public static TextTokenizer load(Path tokenizerJson, int maxLength, TextStrategy strategy) {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new BundleException(tokenizerJson + ": tokenizer file is missing");
        }
        long padId = padTokenId(tokenizerJson);
        HuggingFaceTokenizer hf = djlTokenizer(tokenizerJson, true, maxLength);
        TextTokenizer t = new TextTokenizer(hf, maxLength, padId, strategy);
        try {
            t.checkLeadingSpecialToken(tokenizerJson);
            if (strategy.chunked()) {
                t.loadChunking(tokenizerJson);
            }
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /**
     * DJL's tokenizer over {@code tokenizerJson}, never padding: with the special tokens and truncated at
     * {@code maxLength}, or (for windows) the text's own tokens, all of them.
     */
    private static HuggingFaceTokenizer djlTokenizer(Path tokenizerJson, boolean truncateWithSpecials, int maxLength) {
        try {
            HuggingFaceTokenizer.Builder b = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optAddSpecialTokens(truncateWithSpecials)
                    .optTruncation(truncateWithSpecials)
                    .optPadding(false);
            return (truncateWithSpecials ? b.optMaxLength(maxLength) : b).build();
        } catch (IOException | RuntimeException e) {
            throw new BundleException(tokenizerJson + ": not a loadable Hugging Face tokenizer: " + e.getMessage(), e);
        }
    }

    private void loadChunking(Path tokenizerJson) {
        content = djlTokenizer(tokenizerJson, false, 0);
        Encoding probe = tokenizer.encode("probe");
        specialIds = probe.getIds();
        specialTypes = probe.getTypeIds();
        long[] mask = probe.getSpecialTokenMask();
        while (lead < mask.length && mask[lead] == 1) {
            lead++;
        }
        while (trail < mask.length && mask[mask.length - 1 - trail] == 1) {
            trail++;
        }
        if (windowCapacity() <= strategy.overlap()) {
            throw new BundleException(tokenizerJson + ": text.overlap " + strategy.overlap() + " leaves no new token in "
                    + "a window of " + maxLength + " tokens (" + (maxLength - windowCapacity())
                    + " of them special); it must be below " + windowCapacity());
        }
    }

    /** Tokens of text per window: the max length less the special tokens around it. */
    int windowCapacity() {
        return maxLength - lead - trail;
    }

    public int maxLength() {
        return maxLength;
    }

    /** The id used to pad batches (attention mask 0 there). */
    public long padId() {
        return padId;
    }

    /**
     * Tokenises one text. Empty and blank texts, and texts that normalise to nothing (only control
     * characters, say), are refused with {@link InvalidTextException}: there is nothing to classify.
     */
    public TokenizedText tokenize(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidTextException(DeadLetterReason.EMPTY_TEXT, "text is empty");
        }
        if (text.isBlank()) {
            throw new InvalidTextException(DeadLetterReason.BLANK_TEXT, "text is blank (white space only)");
        }
        String safe = TextSanitizer.replaceUnpairedSurrogates(text);
        if (strategy.chunked()) {
            return windows(safe);
        }
        Encoding enc = encodeWithPrefixShortcut(safe);
        long[] ids = enc.getIds();
        long[] special = enc.getSpecialTokenMask();
        boolean anyContent = false;
        for (long s : special) {
            anyContent |= s == 0;
        }
        if (!anyContent) {
            throw new InvalidTextException(DeadLetterReason.NO_TOKENS,
                    "text has no tokens after normalisation (it holds only control or ignored characters)");
        }
        return new TokenizedText(ids, enc.getTypeIds(), enc.exceedMaxLength());
    }

    /**
     * The text's tokens in windows: each holds up to {@link #windowCapacity} tokens of text between the tokenizer's
     * own special tokens, the next one starting {@code overlap} tokens before the previous one ended, up to
     * {@code max_chunks} windows; truncated when text is left after the last. The first window is exactly what
     * truncation gives.
     */
    private TokenizedText windows(String text) {
        int capacity = windowCapacity();
        int step = capacity - strategy.overlap();
        int needed = capacity + (strategy.maxChunks() - 1) * step;
        Encoding enc = null;
        // As with truncation: a long text is tokenised from a prefix when that already gives every token read.
        int budget = needed * PREFIX_CHARS_PER_TOKEN;
        int cut = text.length() > budget ? cutPoint(text, budget) : -1;
        if (cut > 0) {
            Encoding prefix = content.encode(text.substring(0, cut));
            if (prefix.getIds().length > needed) {
                enc = prefix;
            }
        }
        if (enc == null) {
            enc = content.encode(text);
        }
        long[] ids = enc.getIds();
        long[] types = enc.getTypeIds();
        if (ids.length == 0) {
            throw new InvalidTextException(DeadLetterReason.NO_TOKENS,
                    "text has no tokens after normalisation (it holds only control or ignored characters)");
        }
        List<TokenizedText.Window> windows = new ArrayList<>();
        int start = 0;
        int end = 0;
        while (windows.size() < strategy.maxChunks()) {
            end = Math.min(ids.length, start + capacity);
            int n = lead + (end - start) + trail;
            long[] w = new long[n];
            long[] t = new long[n];
            System.arraycopy(specialIds, 0, w, 0, lead);
            System.arraycopy(specialTypes, 0, t, 0, lead);
            System.arraycopy(ids, start, w, lead, end - start);
            System.arraycopy(types, start, t, lead, end - start);
            System.arraycopy(specialIds, specialIds.length - trail, w, n - trail, trail);
            System.arraycopy(specialTypes, specialTypes.length - trail, t, n - trail, trail);
            windows.add(new TokenizedText.Window(w, t));
            if (end == ids.length) {
                break;
            }
            start = end - strategy.overlap();
        }
        return new TokenizedText(windows, end < ids.length);
    }

    private Encoding encodeWithPrefixShortcut(String text) {
        int budget = maxLength * PREFIX_CHARS_PER_TOKEN;
        int cut = text.length() > budget ? cutPoint(text, budget) : -1;
        if (cut > 0) {
            Encoding prefix = tokenizer.encode(text.substring(0, cut));
            if (prefix.exceedMaxLength()) {
                return prefix;
            }
        }
        return tokenizer.encode(text);
    }

    /**
     * A cut just after white space at or before {@code limit}, or -1 when there is none nearby: a
     * cut inside a word could tokenise that word differently (a word too long for the vocabulary
     * becomes one unknown token, its cut-off start does not), so then the full text is used.
     */
    static int cutPoint(String text, int limit) {
        int floor = Math.max(1, limit - 256);
        for (int i = limit; i > floor; i--) {
            if (Character.isWhitespace(text.charAt(i - 1))) {
                return i;
            }
        }
        return -1;
    }

    private void checkLeadingSpecialToken(Path file) {
        Encoding probe = tokenizer.encode("probe");
        if (probe.getIds().length == 0 || probe.getSpecialTokenMask()[0] != 1) {
            throw new BundleException(file + ": the tokenizer does not put a special token ([CLS] or <s>) first; "
                    + "its post_processor must add one, because clstream reads the sequence representation at "
                    + "position 0");
        }
    }

    private static long padTokenId(Path tokenizerJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new BundleException(tokenizerJson + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode padding = root.path("padding");
        if (padding.has("pad_id")) {
            return padding.get("pad_id").asLong();
        }
        for (JsonNode t : root.path("added_tokens")) {
            String content = t.path("content").asText();
            if (content.equals("[PAD]") || content.equals("<pad>")) {
                return t.path("id").asLong();
            }
        }
        return 0;
    }

    @Override
    public void close() {
        try {
            tokenizer.close();
        } finally {
            if (content != null) {
                content.close();
            }
        }
    }
}
