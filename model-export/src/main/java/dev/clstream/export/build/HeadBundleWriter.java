package dev.clstream.export.build;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.LogitsSource;
import dev.clstream.bundle.ModelBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Writes a bundle that pairs an encoder's model.onnx and tokenizer.json with a trained linear head. */
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
        Files.createDirectories(out);
        if (!Files.isSameFile(encoder.directory(), out)) {
            for (String file : List.of(BundleManifest.MODEL_FILE, BundleManifest.TOKENIZER_FILE)) {
                Files.copy(encoder.directory().resolve(file), out.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT_VERSION, name, version, description,
                encoder.manifest().maxLength(), labels, Optional.of(head), Map.of(), provenance, evaluation,
                encoder.manifest().text());
        return ModelBundle.write(out, manifest);
    }
}
