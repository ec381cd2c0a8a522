package dev.clstream.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The parsed content of a bundle's {@code bundle.json}: identity, tokenisation limit, its classifier heads (labels and
 * where each head's logits come from), and the sha256 of every file. Parsing checks each field and names it when it
 * is wrong; checks that need the files or the ONNX graph happen in {@link ModelBundle} and the encoder.
 *
 * <p>Format 1 has at most one head, its {@code labels} and {@code logits} at the top ({@link ClassifierHead#DEFAULT_NAME});
 * format 2 lists {@code heads: [{"name", "labels", "logits"}]}, all computed from one encoder pass, the first the
 * primary. A bundle with none or one unnamed head is written in format 1, so that earlier releases still read it.
 *
 * <p>{@code provenance} and {@code evaluation} are free-form records of how the bundle was made and
 * how well its heads did; they are carried along untouched.
 */
public record BundleManifest(
        int formatVersion,
        String name,
        String version,
        String description,
        int maxLength,
        List<ClassifierHead> heads,
        Map<String, String> files,
        JsonNode provenance,
        JsonNode evaluation,
        TextStrategy text) {

    public static final String FILE_NAME = "bundle.json";
    public static final String MODEL_FILE = "model.onnx";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** One head, at the top of bundle.json. */
    public static final int FORMAT_VERSION = 1;
    /** Several named heads in {@code heads}. */
    public static final int HEADS_FORMAT_VERSION = 2;
    public static final String DEFAULT_LOGITS_OUTPUT = "logits";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SAFE_FILE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    public BundleManifest {
        heads = List.copyOf(heads);
        files = Map.copyOf(files);
        provenance = provenance == null ? JsonNodeFactory.instance.objectNode() : provenance.deepCopy();
        evaluation = evaluation == null ? JsonNodeFactory.instance.objectNode() : evaluation.deepCopy();
        text = text == null ? TextStrategy.TRUNCATE : text;
        requireKnownFormat(formatVersion, "");
        if (formatVersion == FORMAT_VERSION && (heads.size() > 1
                || heads.stream().anyMatch(h -> !h.name().equals(ClassifierHead.DEFAULT_NAME)))) {
            throw new BundleException("format_version 1 holds one unnamed head; named or several heads need "
                    + "format_version " + HEADS_FORMAT_VERSION + " and 'heads'");
        }
        var names = new HashSet<String>();
        for (ClassifierHead h : heads) {
            if (!names.add(h.name())) {
                throw new BundleException("head '" + h.name() + "' appears twice in 'heads'");
            }
        }
        if (heads.stream().filter(ClassifierHead::fromGraph).count() > 1) {
            throw new BundleException("at most one head may take its logits from the graph (the encoder reads one "
                    + "logits output); the others are linear heads on h_0 (source 'linear_head')");
        }
        if (text.chunked() && heads.stream().anyMatch(ClassifierHead::fromGraph)) {
            throw new BundleException("text.strategy 'chunks' pools the windows' h_0 and needs a linear head on it "
                    + "(logits.source 'linear_head'); this bundle's logits come from the graph, one window at a time");
        }
    }

    /** A format-1 manifest: one head (or none, when {@code logits} is empty), read by {@code text}. */
    public BundleManifest(int formatVersion, String name, String version, String description, int maxLength,
                          List<String> labels, Optional<LogitsSource> logits, Map<String, String> files,
                          JsonNode provenance, JsonNode evaluation, TextStrategy text) {
        this(formatVersion, name, version, description, maxLength, singleHead(labels, logits), files, provenance,
                evaluation, text);
    }

    /** A format-1 manifest that reads texts by truncation (bundles without a "text" field). */
    public BundleManifest(int formatVersion, String name, String version, String description, int maxLength,
                          List<String> labels, Optional<LogitsSource> logits, Map<String, String> files,
                          JsonNode provenance, JsonNode evaluation) {
        this(formatVersion, name, version, description, maxLength, labels, logits, files, provenance, evaluation,
                TextStrategy.TRUNCATE);
    }

    private static void requireKnownFormat(int format, String where) {
        if (format != FORMAT_VERSION && format != HEADS_FORMAT_VERSION) {
            throw new BundleException(where + "format_version " + format + " is not supported (this build reads "
                    + FORMAT_VERSION + " and " + HEADS_FORMAT_VERSION + ")");
        }
    }

    private static List<ClassifierHead> singleHead(List<String> labels, Optional<LogitsSource> logits) {
        if (logits.isEmpty() && !labels.isEmpty()) {
            throw new IllegalArgumentException("labels " + labels + " without logits");
        }
        return logits.map(l -> List.of(new ClassifierHead(ClassifierHead.DEFAULT_NAME, labels, l))).orElse(List.of());
    }

    /** "name@version", the form used in logs, headers and output records. */
    public String id() {
        return name + "@" + version;
    }

    public boolean hasClassifier() {
        return !heads.isEmpty();
    }

    /** The primary head's labels in id order; empty for an embedding-only bundle. */
    public List<String> labels() {
        return heads.isEmpty() ? List.of() : heads.get(0).labels();
    }

    /** Where the primary head's logits come from; empty for an embedding-only bundle. */
    public Optional<LogitsSource> logits() {
        return heads.isEmpty() ? Optional.empty() : Optional.of(heads.get(0).logits());
    }

    /**
     * The heads as the outputs list them by name: every head of a format-2 bundle; none of a format-1 bundle, whose
     * one unnamed head is the labeled event's own fields.
     */
    public List<ClassifierHead> namedHeads() {
        return formatVersion == FORMAT_VERSION ? List.of() : heads;
    }

    /** The head whose logits come from the graph, if one does. */
    public Optional<ClassifierHead> graphHead() {
        return heads.stream().filter(ClassifierHead::fromGraph).findFirst();
    }

    /** Parses and checks bundle.json's tree; {@code where} names the file in messages. */
    public static BundleManifest fromJson(JsonNode root, String where) {
        if (root == null || !root.isObject()) {
            throw new BundleException(where + ": must be a JSON object");
        }
        Fields f = new Fields(root, where);
        int format = f.intField("format_version", 1, Integer.MAX_VALUE);
        requireKnownFormat(format, where + ": ");
        String name = f.text("name", true);
        String version = f.text("version", true);
        String description = f.text("description", false);
        // [CLS], at least one token of text, [SEP].
        int maxLength = f.intField("max_length", 3, 1 << 20);
        Map<String, String> files = f.files();
        for (String required : List.of(MODEL_FILE, TOKENIZER_FILE)) {
            if (!files.containsKey(required)) {
                throw new BundleException(where + ": files must list " + required + " with its sha256");
            }
        }
        List<ClassifierHead> heads = format == FORMAT_VERSION ? f.topHead() : f.heads();
        TextStrategy text = TextStrategy.fromJson(root.get("text"), maxLength, where);
        try {
            return new BundleManifest(format, name, version, description, maxLength, heads, files,
                    root.get("provenance"), root.get("evaluation"), text);
        } catch (BundleException e) {
            throw new BundleException(where + ": " + e.getMessage(), e);
        }
    }

    /** The JSON form written to bundle.json; {@link #fromJson} reads it back to an equal manifest. */
    public ObjectNode toJson() {
        JsonNodeFactory nf = JsonNodeFactory.instance;
        ObjectNode root = nf.objectNode();
        root.put("format_version", formatVersion);
        root.put("name", name);
        root.put("version", version);
        if (!description.isEmpty()) {
            root.put("description", description);
        }
        root.put("max_length", maxLength);
        if (text.chunked()) {
            root.set("text", text.toJson());
        }
        if (formatVersion == FORMAT_VERSION) {
            heads.forEach(h -> writeHead(h, root));
        } else {
            ArrayNode list = root.putArray("heads");
            heads.forEach(h -> writeHead(h, list.addObject().put("name", h.name())));
        }
        ObjectNode fileNode = root.putObject("files");
        files.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> fileNode.put(e.getKey(), e.getValue()));
        if (!provenance.isEmpty()) {
            root.set("provenance", provenance.deepCopy());
        }
        if (!evaluation.isEmpty()) {
            root.set("evaluation", evaluation.deepCopy());
        }
        return root;
    }

    private static void writeHead(ClassifierHead head, ObjectNode into) {
        head.labels().forEach(into.putArray("labels")::add);
        ObjectNode node = into.putObject("logits");
        if (head.logits() instanceof LogitsSource.GraphOutput graph) {
            node.put("source", "graph");
            node.put("output", graph.outputName());
        } else if (head.logits() instanceof LogitsSource.LinearHead linear) {
            node.put("source", "linear_head");
            var w = node.putArray("weights");
            for (float[] row : linear.weights()) {
                var r = w.addArray();
                for (float v : row) {
                    r.add(v);
                }
            }
            var b = node.putArray("bias");
            for (float v : linear.bias()) {
                b.add(v);
            }
        }
    }

    public BundleManifest withFiles(Map<String, String> newFiles) {
        return new BundleManifest(formatVersion, name, version, description, maxLength, heads, newFiles,
                provenance, evaluation, text);
    }

    /** The same bundle reading texts by {@code newText}, e.g. an encoder embedding a corpus in windows for a head. */
    public BundleManifest withText(TextStrategy newText) {
        return new BundleManifest(formatVersion, name, version, description, maxLength, heads, files,
                provenance, evaluation, newText);
    }

    /**
     * The same encoder with {@code newHeads} (the first the primary), in the format that holds them: format 1 for
     * none or one default head, else format 2.
     */
    public BundleManifest withHeads(List<ClassifierHead> newHeads) {
        boolean single = newHeads.isEmpty()
                || newHeads.size() == 1 && newHeads.get(0).name().equals(ClassifierHead.DEFAULT_NAME);
        return new BundleManifest(single ? FORMAT_VERSION : HEADS_FORMAT_VERSION, name, version, description,
                maxLength, newHeads, files, provenance, evaluation, text);
    }

    /** Field readers that name the field and the file in every complaint. */
    private record Fields(JsonNode root, String where) {
        String text(String field, boolean required) {
            JsonNode n = root.get(field);
            if (n == null || n.isNull()) {
                if (required) {
                    throw new BundleException(where + ": required field '" + field + "' is missing");
                }
                return "";
            }
            if (!n.isTextual() || (required && n.asText().isBlank())) {
                throw new BundleException(where + ": field '" + field + "' must be a non-empty string, got " + n);
            }
            return n.asText();
        }

        int intField(String field, int min, int max) {
            JsonNode n = root.get(field);
            if (n == null || n.isNull()) {
                throw new BundleException(where + ": required field '" + field + "' is missing");
            }
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
                throw new BundleException(where + ": field '" + field + "' must be an integer in [" + min + ", "
                        + max + "], got " + n);
            }
            return n.asInt();
        }

        List<String> labels() {
            JsonNode n = root.get("labels");
            if (n == null || n.isNull()) {
                return List.of();
            }
            if (!n.isArray()) {
                throw new BundleException(where + ": field 'labels' must be an array of label names in id order");
            }
            List<String> out = new ArrayList<>();
            var seen = new HashSet<String>();
            for (JsonNode l : n) {
                if (!l.isTextual() || l.asText().isBlank()) {
                    throw new BundleException(where + ": labels[" + out.size() + "] must be a non-empty string, got " + l);
                }
                if (!seen.add(l.asText())) {
                    throw new BundleException(where + ": label '" + l.asText() + "' appears twice in 'labels'");
                }
                out.add(l.asText());
            }
            return out;
        }

        Map<String, String> files() {
            JsonNode n = root.get("files");
            if (n == null || !n.isObject()) {
                throw new BundleException(where + ": required object 'files' (file name -> sha256) is missing");
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (var it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!SAFE_FILE_NAME.matcher(e.getKey()).matches() || e.getKey().matches("\\.+")) {
                    throw new BundleException(where + ": files: '" + e.getKey()
                            + "' is not a plain file name inside the bundle directory");
                }
                String sha = e.getValue().asText("");
                if (!e.getValue().isTextual() || !SHA256.matcher(sha).matches()) {
                    throw new BundleException(where + ": files." + e.getKey()
                            + " must be a lower-case hex sha256 (64 characters), got " + e.getValue());
                }
                out.put(e.getKey(), sha);
            }
            return out;
        }

        /** Format 1: the one head at the top (labels and logits), or none. */
        List<ClassifierHead> topHead() {
            if (root.has("heads")) {
                throw new BundleException(where + ": 'heads' needs format_version " + HEADS_FORMAT_VERSION
                        + "; format_version " + FORMAT_VERSION + " has 'labels' and 'logits' at the top");
            }
            return head(ClassifierHead.DEFAULT_NAME).stream().toList();
        }

        /** The head whose labels and logits are this node's fields, called {@code name}; none when it has neither. */
        Optional<ClassifierHead> head(String name) {
            List<String> labels = labels();
            Optional<LogitsSource> logits = logits(labels.size());
            if (logits.isEmpty() && !labels.isEmpty()) {
                throw new BundleException(where + ": labels are given but there is no 'logits' section saying where "
                        + "the logits come from (source 'graph' or 'linear_head')");
            }
            try {
                return logits.map(l -> new ClassifierHead(name, labels, l));
            } catch (BundleException e) {
                throw new BundleException(where + ": " + e.getMessage(), e);
            }
        }

        /** Format 2: every head of 'heads', each read like format 1's top, with its name. */
        List<ClassifierHead> heads() {
            for (String moved : List.of("labels", "logits")) {
                if (root.has(moved)) {
                    throw new BundleException(where + ": format_version " + HEADS_FORMAT_VERSION + " keeps '" + moved
                            + "' in each entry of 'heads', not at the top");
                }
            }
            JsonNode n = root.get("heads");
            if (n == null || !n.isArray() || n.isEmpty()) {
                throw new BundleException(where + ": format_version " + HEADS_FORMAT_VERSION + " needs 'heads', a "
                        + "non-empty array of {\"name\", \"labels\", \"logits\"} (an embedding-only bundle is format "
                        + FORMAT_VERSION + ")");
            }
            List<ClassifierHead> out = new ArrayList<>();
            for (JsonNode h : n) {
                String at = where + ": heads[" + out.size() + "]";
                if (!h.isObject()) {
                    throw new BundleException(at + " must be an object {\"name\", \"labels\", \"logits\"}");
                }
                Fields head = new Fields(h, at);
                String headName = head.text("name", true);
                out.add(head.head(headName).orElseThrow(() -> new BundleException(at + " ('" + headName
                        + "') needs 'labels' and 'logits'")));
            }
            return out;
        }

        Optional<LogitsSource> logits(int labelCount) {
            JsonNode n = root.get("logits");
            if (n == null || n.isNull()) {
                return Optional.empty();
            }
            String source = n.path("source").asText("");
            switch (source) {
                case "graph":
                    String output = n.path("output").asText(DEFAULT_LOGITS_OUTPUT);
                    return Optional.of(new LogitsSource.GraphOutput(output, labelCount));
                case "linear_head":
                    return Optional.of(linearHead(n));
                default:
                    throw new BundleException(where + ": logits.source must be 'graph' or 'linear_head', got '"
                            + source + "'");
            }
        }

        private LogitsSource.LinearHead linearHead(JsonNode n) {
            JsonNode w = n.get("weights");
            JsonNode b = n.get("bias");
            if (w == null || !w.isArray() || w.isEmpty()) {
                throw new BundleException(where + ": logits.weights (W, [labels x hidden]) is missing or empty");
            }
            if (b == null || !b.isArray()) {
                throw new BundleException(where + ": logits.bias (b, [labels]) is missing");
            }
            float[][] weights = new float[w.size()][];
            for (int k = 0; k < w.size(); k++) {
                weights[k] = floats(w.get(k), "logits.weights[" + k + "]");
                if (weights[k].length != weights[0].length) {
                    throw new BundleException(where + ": logits.weights rows differ in length: row 0 has "
                            + weights[0].length + ", row " + k + " has " + weights[k].length);
                }
            }
            float[] bias = floats(b, "logits.bias");
            if (bias.length != weights.length) {
                throw new BundleException(where + ": logits.bias has " + bias.length + " values but logits.weights has "
                        + weights.length + " rows");
            }
            return new LogitsSource.LinearHead(weights, bias);
        }

        private float[] floats(JsonNode arr, String field) {
            if (arr == null || !arr.isArray() || arr.isEmpty()) {
                throw new BundleException(where + ": " + field + " must be a non-empty array of numbers");
            }
            float[] out = new float[arr.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode v = arr.get(i);
                if (!v.isNumber() || !Float.isFinite(v.floatValue())) {
                    throw new BundleException(where + ": " + field + "[" + i + "] is not a finite 32-bit float: " + v);
                }
                out[i] = v.floatValue();
            }
            return out;
        }
    }
}
