package dev.clstream.export.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ClassifierHead;
import dev.clstream.bundle.LogitsSource;
import dev.clstream.bundle.ModelBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Writes a bundle that pairs an encoder's model.onnx and tokenizer.json with a trained linear head, or one more head. */
public final class HeadBundleWriter {
    private HeadBundleWriter() {}

    /**
     * Copies the encoder files of {@code encoder} into {@code out} (unless it is the same directory)
     * and writes bundle.json with the head, labels, provenance and evaluation; the bundle reads texts as
     * {@code encoder} did when the head's embeddings were made (its text strategy).
     */
    public static ModelBundle write(ModelBundle encoder, Path out, String name, String version, String description,
                                    List<String> labels, LogitsSource.LinearHead head, ObjectNode provenance,
                                    ObjectNode evaluation) throws IOException {
        copyEncoder(encoder, out);
        BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT_VERSION, name, version, description,
                encoder.manifest().maxLength(), labels, Optional.of(head), Map.of(), provenance, evaluation,
                encoder.manifest().text());
        return ModelBundle.write(out, manifest);
    }

    /**
     * A new version of {@code bundle} in {@code out}: its encoder and heads (its primary stays the primary) and
     * {@code head} after them, computed from the same encoder pass; format 2 when the heads need it. Provenance and
     * evaluation are the bundle's with the new head's under {@code heads.<name>} (its provenance naming the bundle it
     * was added to, {@code added_to}). A name the bundle's heads already
     * have is refused by the manifest.
     */
    public static ModelBundle addHead(ModelBundle bundle, Path out, String name, String version, String description,
                                      ClassifierHead head, ObjectNode headProvenance, ObjectNode headEvaluation)
            throws IOException {
        BundleManifest m = bundle.manifest();
        copyEncoder(bundle, out);
        List<ClassifierHead> heads = new ArrayList<>(m.heads());
        heads.add(head);
        ObjectNode provenance = m.provenance().deepCopy();
        withEntry(provenance, head.name(), headProvenance.deepCopy().put("added_to", m.id()));
        ObjectNode evaluation = m.evaluation().deepCopy();
        withEntry(evaluation, head.name(), headEvaluation);
        BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT_VERSION, name, version, description,
                m.maxLength(), List.of(), Map.of(), provenance, evaluation, m.text()).withHeads(heads);
        return ModelBundle.write(out, manifest);
    }

    private static void withEntry(ObjectNode record, String head, ObjectNode entry) {
        JsonNode heads = record.get("heads");
        (heads instanceof ObjectNode o ? o : record.putObject("heads")).set(head, entry);
    }

    private static void copyEncoder(ModelBundle encoder, Path out) throws IOException {
        Files.createDirectories(out);
        if (!Files.isSameFile(encoder.directory(), out)) {
            for (String file : List.of(BundleManifest.MODEL_FILE, BundleManifest.TOKENIZER_FILE)) {
                Files.copy(encoder.directory().resolve(file), out.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
