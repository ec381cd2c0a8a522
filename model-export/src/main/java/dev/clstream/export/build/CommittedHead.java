package dev.clstream.export.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.ParityFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A trained head kept in version control (model-export/heads/NAME): the bundle's manifest, with the
 * head, its evaluation and the fingerprint of the inputs that trained it, and its parity.json. With
 * the encoder's model.onnx and tokenizer.json it is the whole bundle, so the build assembles the
 * default bundles from it in seconds instead of embedding the corpus again.
 */
public record CommittedHead(Path dir) {
    /** The files of a head: everything in a bundle but the encoder's. */
    public static final List<String> FILES = List.of(BundleManifest.FILE_NAME, ParityFile.FILE_NAME);

    /** Copies a trained bundle's head files into {@code dir}, to be committed. */
    public static CommittedHead save(Path bundle, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String file : FILES) {
            Files.copy(bundle.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        return new CommittedHead(dir);
    }

    /** Refuses a head that training would not make from these inputs (another encoder, data, trainer or setting). */
    public void requireTrainedFrom(String fingerprint) throws IOException {
        String recorded = new ObjectMapper().readTree(dir.resolve(BundleManifest.FILE_NAME).toFile()).path("provenance")
                .path(HeadBundleBuilder.FINGERPRINT_FIELD).asText("");
        if (!recorded.equals(fingerprint)) {
            throw new IllegalStateException(dir + " holds a head trained from other inputs than these (the encoder, "
                    + "tokenizer, data or a setting differs): train it again and commit the result, e.g. "
                    + "'mvn -pl model-export package -Pretrain-heads' for the default bundles");
        }
    }

    /** Whether {@code bundle} is a loadable bundle made of exactly this head. */
    public boolean isIn(Path bundle) throws IOException {
        for (String file : FILES) {
            if (!Files.isRegularFile(bundle.resolve(file)) || Files.mismatch(dir.resolve(file), bundle.resolve(file))
                    != -1) {
                return false;
            }
        }
        try {
            ModelBundle.load(bundle);
            return true;
        } catch (BundleException e) {
            return false;
        }
    }

    /**
     * Writes the bundle into the empty directory {@code target}: the encoder's files and the head's,
     * each checked against the sha256 the head recorded, so the encoder is the one it was trained on,
     * byte for byte.
     */
    public ModelBundle assembleInto(Path target, Path model, Path tokenizer) throws IOException {
        Files.copy(model, target.resolve(BundleManifest.MODEL_FILE));
        Files.copy(tokenizer, target.resolve(BundleManifest.TOKENIZER_FILE));
        for (String file : FILES) {
            Files.copy(dir.resolve(file), target.resolve(file));
        }
        return ModelBundle.load(target);
    }
}
