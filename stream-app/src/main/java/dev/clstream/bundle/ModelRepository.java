package dev.clstream.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A model repository: a directory whose subdirectories are versions of one model, each a bundle named by its version
 * ({@code <dir>/<version>/bundle.json}, the version as in that bundle.json). The highest version in semantic-version
 * order serves. A subdirectory without bundle.json (one being copied in), or whose name starts with a dot, is not a
 * version yet: the README tells users to write a version elsewhere and rename it in, which is atomic.
 */
public final class ModelRepository {
    /**
     * Semantic-version order ({@link #compareVersions}), names equal in it ({@code 1.0.0+a}, {@code 1.0.0+b}) then by
     * their text, so that every instance picks the same one.
     */
    public static final Comparator<String> ORDER = Comparator.comparing((String v) -> v,
            ModelRepository::compareVersions).thenComparing(Comparator.naturalOrder());

    private ModelRepository() {}

    /** One version present in a repository: its name and directory (not loaded or checked yet). */
    public record Version(String name, Path directory) {}

    /** Whether {@code dir} is a repository: a directory that is not a bundle itself. */
    public static boolean isRepository(Path dir) {
        return Files.isDirectory(dir) && !Files.exists(dir.resolve(BundleManifest.FILE_NAME));
    }

    /** The versions in {@code repository} now, highest first. */
    public static List<Version> versions(Path repository) {
        List<Version> out = new ArrayList<>();
        try (Stream<Path> children = Files.list(repository)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                if (!name.startsWith(".") && Files.isRegularFile(child.resolve(BundleManifest.FILE_NAME))) {
                    out.add(new Version(name, child));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the model repository " + repository + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(Version::name, ORDER).reversed());
        return out;
    }

    /**
     * Loads one version ({@link ModelBundle#load}: checksums verified) and checks that its bundle.json names the same
     * version as its directory, so that outputs say which version computed them.
     */
    public static ModelBundle load(Version version) {
        ModelBundle bundle = ModelBundle.load(version.directory());
        if (!bundle.manifest().version().equals(version.name())) {
            throw new BundleException("bundle " + bundle.directory() + ": its bundle.json says version '"
                    + bundle.manifest().version() + "' but its directory in the repository is '" + version.name()
                    + "'; name the directory after the version");
        }
        return bundle;
    }

    /**
     * Semantic-version order ({@code 1.10.0 > 1.9.0 > 1.9.0-rc.1}): dot-separated parts compared as numbers where
     * both are numbers, as text otherwise; a release above its pre-releases; build metadata ({@code +...}) ignored.
     */
    public static int compareVersions(String a, String b) {
        String[] x = stripBuild(a).split("-", 2);
        String[] y = stripBuild(b).split("-", 2);
        int core = compareParts(x[0], y[0]);
        if (core != 0) {
            return core;
        }
        if (x.length != y.length) {
            return x.length == 1 ? 1 : -1;
        }
        return x.length == 1 ? 0 : compareParts(x[1], y[1]);
    }

    private static String stripBuild(String v) {
        int plus = v.indexOf('+');
        return plus < 0 ? v : v.substring(0, plus);
    }

    private static int compareParts(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            boolean xn = x[i].matches("\\d{1,18}");
            boolean yn = y[i].matches("\\d{1,18}");
            int c = xn && yn ? Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]))
                    : xn != yn ? (xn ? -1 : 1) : x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
