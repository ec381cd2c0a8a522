package dev.clstream.export.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.export.data.LabeledText;
import dev.clstream.export.train.StratifiedSplit;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The held-out share of a head's labeled examples: the seeded, stratified split train-head made,
 * rebuilt from the labels, seed and fraction alone. Nothing needs embedding to know which texts the
 * head never saw (the demo traffic, the end-to-end evaluation).
 */
public final class HeldOutSplit {
    private HeldOutSplit() {}

    /**
     * @param usable the examples the tokenizer accepts ({@link Embedder#usable}), in data order
     * @param labels the head's labels in id order: the classes the split is stratified by
     * @return indices into {@code usable}
     */
    public static int[] indices(List<LabeledText> usable, List<String> labels, double testFraction, long seed) {
        int[] y = new int[usable.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.indexOf(usable.get(i).label());
            if (y[i] < 0) {
                throw new IllegalArgumentException("example " + usable.get(i).id() + " has label '"
                        + usable.get(i).label() + "', which is not one of " + labels);
            }
        }
        return StratifiedSplit.of(y, testFraction, seed).test();
    }

    /** The split recorded in a trained bundle's bundle.json (evaluation.trainer: seed, test_fraction). */
    public static int[] indices(ModelBundle bundle, List<LabeledText> usable) {
        JsonNode trainer = bundle.manifest().evaluation().path("trainer");
        if (!trainer.has("seed") || !trainer.has("test_fraction")) {
            throw new BundleException(bundle.directory() + ": bundle.json records no training split "
                    + "(evaluation.trainer.seed / test_fraction); it was not made by train-head");
        }
        return indices(usable, bundle.manifest().labels(), trainer.get("test_fraction").asDouble(),
                trainer.get("seed").asLong());
    }

    /** Writes the held-out examples (id, text, label) as gzipped JSON lines: texts the head never saw. */
    public static void write(List<LabeledText> usable, int[] indices, Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(new GZIPOutputStream(
                Files.newOutputStream(file)), StandardCharsets.UTF_8))) {
            for (int i : indices) {
                LabeledText e = usable.get(i);
                ObjectNode n = json.createObjectNode().put("id", e.id()).put("text", e.text()).put("label", e.label());
                w.write(json.writeValueAsString(n));
                w.write('\n');
            }
        }
    }
}
