package dev.clstream.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A bundle directory whose manifest parsed and whose files are all present with the recorded
 * sha256. Whether the ONNX graph and the tokenizer fit the manifest is checked when they are
 * opened (see {@code dev.clstream.inference.InferenceEngine}), because that needs native code.
 */
public record ModelBundle(Path directory, BundleManifest manifest) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Path modelFile() {
        return directory.resolve(BundleManifest.MODEL_FILE);
    }

    public Path tokenizerFile() {
        return directory.resolve(BundleManifest.TOKENIZER_FILE);
    }

    /** The sha256 of model.onnx: with the name and version, what identifies the weights in use. */
    public String modelSha256() {
        return manifest.files().get(BundleManifest.MODEL_FILE);
    }

    /** Reads bundle.json and verifies every listed file's checksum; throws {@link BundleException} naming the problem. */
    public static ModelBundle load(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new BundleException("bundle directory " + dir + " does not exist or is not a directory");
        }
        Path manifestFile = dir.resolve(BundleManifest.FILE_NAME);
        if (!Files.isRegularFile(manifestFile)) {
            throw new BundleException("bundle " + dir + ": " + BundleManifest.FILE_NAME + " is missing");
        }
        BundleManifest manifest = BundleManifest.fromJson(readJson(manifestFile), manifestFile.toString());
        for (Map.Entry<String, String> e : new TreeMap<>(manifest.files()).entrySet()) {
            Path file = dir.resolve(e.getKey());
            if (!Files.isRegularFile(file)) {
                throw new BundleException("bundle " + dir + ": file " + e.getKey() + " is listed in "
                        + BundleManifest.FILE_NAME + " but missing");
            }
            String actual = Sha256.of(file);
            if (!actual.equals(e.getValue())) {
                throw new BundleException("bundle " + dir + ": checksum mismatch for " + e.getKey() + ": "
                        + BundleManifest.FILE_NAME + " says sha256 " + e.getValue() + ", the file has " + actual);
            }
        }
        return new ModelBundle(dir, manifest);
    }

    /**
     * Writes {@code manifest} as the directory's bundle.json, recording the sha256 of model.onnx,
     * tokenizer.json and every extra file named in {@code manifest.files()} as it is now on disk.
     */
    public static ModelBundle write(Path directory, BundleManifest manifest) {
        Map<String, String> sums = new TreeMap<>();
        for (String name : new TreeSet<>(manifestFileNames(manifest))) {
            Path file = directory.resolve(name);
            if (!Files.isRegularFile(file)) {
                throw new BundleException("cannot write bundle " + directory + ": " + name + " is missing");
            }
            sums.put(name, Sha256.of(file));
        }
        BundleManifest complete = manifest.withFiles(sums);
        try {
            Files.writeString(directory.resolve(BundleManifest.FILE_NAME),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(complete.toJson()) + "\n");
        } catch (IOException e) {
            throw new BundleException("cannot write " + directory.resolve(BundleManifest.FILE_NAME) + ": " + e, e);
        }
        return new ModelBundle(directory.toAbsolutePath().normalize(), complete);
    }

    private static Set<String> manifestFileNames(BundleManifest manifest) {
        var names = new HashSet<>(manifest.files().keySet());
        names.add(BundleManifest.MODEL_FILE);
        names.add(BundleManifest.TOKENIZER_FILE);
        return names;
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new BundleException(file + ": not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
        } catch (IOException e) {
            throw new BundleException("cannot read " + file + ": " + e, e);
        }
    }

    /** This bundle reading texts by {@code text} instead of its own strategy (e.g. at most {@code text.max.chunks}). */
    public ModelBundle withText(TextStrategy text) {
        return new ModelBundle(directory, manifest.withText(text));
    }
}
