package dev.clstream.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A bundle's {@code parity.json}: texts with the token ids and outputs a reference implementation
 * gave for them, and how far the engine may stray. {@code model-export/export_hf.py} writes it from
 * PyTorch; the Java head trainer writes it from the engine that built the bundle. Each text's
 * reference was computed with the text alone in its batch.
 *
 * @param reference what produced the expected values, in words
 * @param variant   fp32, int8 or fp16: the precision of the bundle's graph
 */
public record ParityFile(String reference, String variant, double embeddingTolerance, double probabilityTolerance,
                         List<Entry> texts) {

    public static final String FILE_NAME = "parity.json";
    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One parity text. {@code probabilities} (the primary head's) is null for an encoder without a classifier;
     * {@code tokenTypeIds} is null when the reference tokenizer did not report them; {@code heads} holds the
     * probabilities of a bundle's further named heads, by name (empty when it has none, or the reference left them
     * out: h_0, which they are linear in, is checked all the same).
     */
    public record Entry(String text, long[] inputIds, long[] tokenTypeIds, boolean truncated, double[] clsEmbedding,
                        double[] probabilities, Map<String, double[]> heads) {
        public Entry {
            heads = Map.copyOf(heads);
        }

        /** An entry without further heads. */
        public Entry(String text, long[] inputIds, long[] tokenTypeIds, boolean truncated, double[] clsEmbedding,
                     double[] probabilities) {
            this(text, inputIds, tokenTypeIds, truncated, clsEmbedding, probabilities, Map.of());
        }
    }

    public ParityFile {
        texts = List.copyOf(texts);
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("a parity file needs at least one text");
        }
    }

    /** The bundle's parity file, or empty when it has none. */
    public static Optional<ParityFile> of(ModelBundle bundle) {
        Path file = bundle.directory().resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        if (!bundle.manifest().files().containsKey(FILE_NAME)) {
            // Unlisted, it could have been swapped for one that matches a tampered graph.
            throw new BundleException("bundle " + bundle.directory() + ": " + FILE_NAME + " is present but not listed "
                    + "with its sha256 in " + BundleManifest.FILE_NAME);
        }
        return Optional.of(read(file));
    }

    public static ParityFile read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new BundleException(file + ": not readable JSON: " + e.getMessage(), e);
        }
        return fromJson(root, file.toString());
    }

    public static ParityFile fromJson(JsonNode root, String where) {
        if (root == null || !root.isObject()) {
            throw new BundleException(where + ": must be a JSON object");
        }
        if (root.path("format_version").asInt(-1) != FORMAT_VERSION) {
            throw new BundleException(where + ": format_version must be " + FORMAT_VERSION + ", got "
                    + root.get("format_version"));
        }
        JsonNode tolerance = root.path("tolerance");
        double embedding = positive(tolerance.get("cls_embedding"), where + ": tolerance.cls_embedding");
        double probabilities = positive(tolerance.get("probabilities"), where + ": tolerance.probabilities");
        JsonNode texts = root.get("texts");
        if (texts == null || !texts.isArray() || texts.isEmpty()) {
            throw new BundleException(where + ": 'texts' must be a non-empty array");
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode t : texts) {
            String at = where + ": texts[" + entries.size() + "]";
            JsonNode text = t.get("text");
            if (text == null || !text.isTextual()) {
                throw new BundleException(at + ".text must be a string");
            }
            Map<String, double[]> heads = new LinkedHashMap<>();
            t.path("heads").fields().forEachRemaining(h -> heads.put(h.getKey(),
                    doubles(h.getValue(), at + ".heads." + h.getKey(), true)));
            entries.add(new Entry(text.asText(), longs(t.get("input_ids"), at + ".input_ids", true),
                    longs(t.get("token_type_ids"), at + ".token_type_ids", false), t.path("truncated").asBoolean(false),
                    doubles(t.get("cls_embedding"), at + ".cls_embedding", true),
                    doubles(t.get("probabilities"), at + ".probabilities", false), heads));
        }
        return new ParityFile(root.path("reference").asText(""), root.path("variant").asText("fp32"), embedding,
                probabilities, entries);
    }

    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("reference", reference);
        root.put("variant", variant);
        ObjectNode tolerance = root.putObject("tolerance");
        tolerance.put("cls_embedding", embeddingTolerance);
        tolerance.put("probabilities", probabilityTolerance);
        ArrayNode texts = root.putArray("texts");
        for (Entry e : this.texts) {
            ObjectNode t = texts.addObject();
            t.put("text", e.text());
            put(t.putArray("input_ids"), e.inputIds());
            if (e.tokenTypeIds() != null) {
                put(t.putArray("token_type_ids"), e.tokenTypeIds());
            }
            t.put("truncated", e.truncated());
            put(t.putArray("cls_embedding"), e.clsEmbedding());
            if (e.probabilities() != null) {
                put(t.putArray("probabilities"), e.probabilities());
            }
            if (!e.heads().isEmpty()) {
                ObjectNode heads = t.putObject("heads");
                new TreeMap<>(e.heads()).forEach((name, probs) -> put(heads.putArray(name), probs));
            }
        }
        return root;
    }

    public void write(Path file) {
        try {
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson()) + "\n");
        } catch (IOException e) {
            throw new BundleException("cannot write " + file + ": " + e, e);
        }
    }

    private static double positive(JsonNode n, String what) {
        if (n == null || !n.isNumber() || !(n.asDouble() > 0) || Double.isInfinite(n.asDouble())) {
            throw new BundleException(what + " must be a positive number, got " + n);
        }
        return n.asDouble();
    }

    private static long[] longs(JsonNode n, String what, boolean required) {
        if (n == null || n.isNull()) {
            if (required) {
                throw new BundleException(what + " is missing");
            }
            return null;
        }
        if (!n.isArray() || n.isEmpty()) {
            throw new BundleException(what + " must be a non-empty array of integers");
        }
        long[] out = new long[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).isIntegralNumber()) {
                throw new BundleException(what + "[" + i + "] must be an integer, got " + n.get(i));
            }
            out[i] = n.get(i).asLong();
        }
        return out;
    }

    private static double[] doubles(JsonNode n, String what, boolean required) {
        if (n == null || n.isNull()) {
            if (required) {
                throw new BundleException(what + " is missing");
            }
            return null;
        }
        if (!n.isArray() || n.isEmpty()) {
            throw new BundleException(what + " must be a non-empty array of numbers");
        }
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).isNumber()) {
                throw new BundleException(what + "[" + i + "] must be a number, got " + n.get(i));
            }
            out[i] = n.get(i).asDouble();
        }
        return out;
    }

    private static void put(ArrayNode array, long[] values) {
        for (long v : values) {
            array.add(v);
        }
    }

    private static void put(ArrayNode array, double[] values) {
        for (double v : values) {
            array.add(v);
        }
    }
}
