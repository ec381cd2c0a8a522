package dev.clstream.bundle;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds bundles by directory or by name in the installation's bundle directory: the system
 * property {@code clstream.bundles.dir}, else the environment variable {@code CLSTREAM_BUNDLES_DIR}
 * (the launcher and the container image set one of them).
 */
public final class BuiltInBundles {
    public static final String DEFAULT_BUNDLE = "bge-small-en-v15-spam-ft-int8";

    private BuiltInBundles() {}

    /** Loads the bundle {@code spec} names ({@link #resolve}), checksums verified ({@link ModelBundle#load}). */
    public static ModelBundle load(String spec) {
        return ModelBundle.load(resolve(spec));
    }

    /** {@code spec} is a bundle directory or the name of a built-in bundle; null means the default bundle. */
    public static Path resolve(String spec) {
        String s = spec == null || spec.isBlank() ? DEFAULT_BUNDLE : spec;
        Path direct = Path.of(s);
        if (Files.isDirectory(direct)) {
            return direct;
        }
        Path home = home();
        if (home != null && !s.contains("/") && Files.isDirectory(home.resolve(s))) {
            return home.resolve(s);
        }
        throw new BundleException("bundle '" + s + "' is neither a directory nor a built-in bundle"
                + (home == null ? " (no built-in bundle directory is set: clstream.bundles.dir / CLSTREAM_BUNDLES_DIR)"
                        : " in " + home + (Files.isDirectory(home) ? "" : ", which does not exist: build the default "
                        + "bundles with 'mvn install' from the repository root")));
    }

    public static Path home() {
        String dir = System.getProperty("clstream.bundles.dir", System.getenv("CLSTREAM_BUNDLES_DIR"));
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }
}
