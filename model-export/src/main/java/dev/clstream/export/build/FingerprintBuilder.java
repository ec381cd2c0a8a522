package dev.clstream.export.build;

import dev.clstream.bundle.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A digest of everything a trained bundle depends on (model, tokenizer, data, settings), so a
 * rebuild with unchanged inputs can keep the bundle it already made instead of re-embedding the
 * whole corpus.
 */
public final class FingerprintBuilder {
    private final MessageDigest md;

    public FingerprintBuilder() {
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public FingerprintBuilder file(Path p) {
        return text(Sha256.of(p));
    }

    public FingerprintBuilder text(String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        return this;
    }

    public String hex() {
        return HexFormat.of().formatHex(md.digest());
    }
}
