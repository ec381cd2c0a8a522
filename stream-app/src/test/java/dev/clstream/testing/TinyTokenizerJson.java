package dev.clstream.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Writes a small Hugging Face {@code tokenizer.json} for a BERT WordPiece tokenizer (uncased), so
 * tests can load a real tokenizer via DJL without downloading one. Its ids match
 * {@link TinyEncoderModel} built with {@code vocabSize(vocab.size())}.
 */
public final class TinyTokenizerJson {

    /** Fixed ids of the special tokens: every vocabulary must start with them in this order. */
    public static final List<String> SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    public static final int PAD_ID = 0;
    public static final int UNK_ID = 1;
    public static final int CLS_ID = 2;
    public static final int SEP_ID = 3;
    public static final int MASK_ID = 4;

    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private static final List<String> WORDS = List.of(
            "the", "a", "an", "and", "or", "not", "is", "are", "was", "be", "to", "of", "in", "on",
            "for", "with", "it", "this", "that", "i", "you", "he", "she", "we", "they", "my", "good",
            "bad", "great", "terrible", "love", "hate", "movie", "product", "service", "cat", "dog",
            "sat", "ran", "hello", "world", "very", "no", "yes");

    private TinyTokenizerJson() {}

    /**
     * Specials, single ASCII punctuation/digits/letters, a few common words, then "##" pieces for
     * letters and digits: every ASCII word tokenizes without [UNK] (whole words where known).
     */
    public static List<String> defaultVocabulary() {
        List<String> vocab = new ArrayList<>(SPECIALS);
        PUNCTUATION.chars().forEach(c -> vocab.add(String.valueOf((char) c)));
        for (char c = '0'; c <= '9'; c++) {
            vocab.add(String.valueOf(c));
        }
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.add(String.valueOf(c));
        }
        WORDS.stream().filter(w -> !vocab.contains(w)).forEach(vocab::add);
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.add("##" + c);
        }
        for (char c = '0'; c <= '9'; c++) {
            vocab.add("##" + c);
        }
        return List.copyOf(vocab);
    }

    /** Writes {@code dir/tokenizer.json} with {@link #defaultVocabulary()} and returns the file. */
    public static Path write(Path dir) throws IOException {
        return write(dir, defaultVocabulary());
    }

    /** Writes {@code dir/tokenizer.json} (creating dir) for the given vocabulary and returns the file. */
    public static Path write(Path dir, List<String> vocab) throws IOException {
        if (vocab.size() < SPECIALS.size() || !vocab.subList(0, SPECIALS.size()).equals(SPECIALS)
                || new HashSet<>(vocab).size() != vocab.size()) {
            throw new IllegalArgumentException("vocab must be distinct and start with " + SPECIALS);
        }
        Files.createDirectories(dir);
        Path file = dir.resolve("tokenizer.json");
        ObjectMapper json = new ObjectMapper();
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), document(json, vocab));
        return file;
    }

    private static ObjectNode document(ObjectMapper json, List<String> vocab) {
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < SPECIALS.size(); id++) {
            added.addObject().put("id", id).put("content", SPECIALS.get(id)).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        // strip_accents null + lowercase true = BERT uncased behaviour (accents stripped).
        root.putObject("normalizer").put("type", "BertNormalizer").put("clean_text", true)
                .put("handle_chinese_chars", true).putNull("strip_accents").put("lowercase", true);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        root.set("post_processor", postProcessor(json));
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        ObjectNode model = root.putObject("model").put("type", "WordPiece").put("unk_token", "[UNK]")
                .put("continuing_subword_prefix", "##").put("max_input_chars_per_word", 100);
        ObjectNode vocabNode = model.putObject("vocab");
        for (int id = 0; id < vocab.size(); id++) {
            vocabNode.put(vocab.get(id), id);
        }
        return root;
    }

    /** [CLS] $A [SEP] for single inputs and [CLS] $A [SEP] $B:1 [SEP]:1 for pairs, as BERT does. */
    private static ObjectNode postProcessor(ObjectMapper json) {
        ObjectNode pp = json.createObjectNode().put("type", "TemplateProcessing");
        ArrayNode single = pp.putArray("single");
        special(single, "[CLS]", 0);
        sequence(single, "A", 0);
        special(single, "[SEP]", 0);
        ArrayNode pair = pp.putArray("pair");
        special(pair, "[CLS]", 0);
        sequence(pair, "A", 0);
        special(pair, "[SEP]", 0);
        sequence(pair, "B", 1);
        special(pair, "[SEP]", 1);
        ObjectNode specials = pp.putObject("special_tokens");
        for (String token : List.of("[CLS]", "[SEP]")) {
            ObjectNode s = specials.putObject(token).put("id", token);
            s.putArray("ids").add(SPECIALS.indexOf(token));
            s.putArray("tokens").add(token);
        }
        return pp;
    }

    private static void special(ArrayNode template, String token, int typeId) {
        template.addObject().putObject("SpecialToken").put("id", token).put("type_id", typeId);
    }

    private static void sequence(ArrayNode template, String id, int typeId) {
        template.addObject().putObject("Sequence").put("id", id).put("type_id", typeId);
    }
}
