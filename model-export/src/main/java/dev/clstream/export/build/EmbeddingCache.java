package dev.clstream.export.build;

import dev.clstream.export.data.LabeledText;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * Stores the [CLS] embeddings of a training corpus under a key made of everything they depend on
 * (model, tokenizer, max length, data), so retraining a head with other settings does not
 * re-embed thousands of texts. A file whose example ids do not match is ignored, never trusted.
 */
public final class EmbeddingCache {
    private static final int MAGIC = 0x434c5331; // "CLS1"

    private final Path file;

    public EmbeddingCache(Path directory, String key) {
        this.file = directory.resolve(key + ".cls");
    }

    public Optional<Embedder.Embedded> load(List<LabeledText> usable, int skipped) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != usable.size()) {
                return Optional.empty();
            }
            int d = in.readInt();
            float[][] x = new float[usable.size()][d];
            for (int i = 0; i < x.length; i++) {
                if (!in.readUTF().equals(usable.get(i).id())) {
                    return Optional.empty();
                }
                for (int j = 0; j < d; j++) {
                    x[i][j] = in.readFloat();
                }
            }
            return Optional.of(new Embedder.Embedded(usable, x, skipped));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public void store(Embedder.Embedded embedded) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "cache", ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(embedded.examples().size());
            int d = embedded.features().length == 0 ? 0 : embedded.features()[0].length;
            out.writeInt(d);
            for (int i = 0; i < embedded.features().length; i++) {
                out.writeUTF(embedded.examples().get(i).id());
                for (float v : embedded.features()[i]) {
                    out.writeFloat(v);
                }
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
