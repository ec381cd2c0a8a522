package dev.clstream.export.build;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.ParityFile;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.ParityCheck;
import dev.clstream.inference.Prediction;
import dev.clstream.tokenize.InvalidTextException;
import dev.clstream.tokenize.TokenizedText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives a bundle built in Java its parity.json: the engine's own token ids, h_0 and probabilities
 * for the parity texts, each text alone, recorded right after the build. There is no independent
 * reference here (export_hf.py has PyTorch for that), so what it guards is reproduction: a later
 * load on another machine, ONNX Runtime or provider must give the same results within tolerance.
 */
public final class ParityRecorder {
    public static final String DEFAULT_TEXTS = "/dev/clstream/export/parity-texts.jsonl";

    private ParityRecorder() {}

    /** Records parity for {@code bundle} and rewrites its bundle.json to list parity.json with its sha256. */
    public static ModelBundle addTo(ModelBundle bundle, List<String> texts, String variant, double embeddingTolerance,
                                    double probabilityTolerance) {
        ParityFile parity;
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults())) {
            List<ParityFile.Entry> entries = new ArrayList<>();
            for (String text : texts) {
                TokenizedText tokens;
                try {
                    tokens = engine.tokenize(text);
                } catch (InvalidTextException e) {
                    continue; // nothing to compare for a text this tokenizer refuses (blank, say)
                }
                Prediction p = engine.predict(List.of(tokens)).get(0);
                entries.add(ParityCheck.entry(text, tokens, engine.manifest(), p));
            }
            if (entries.isEmpty()) {
                throw new IllegalArgumentException("the tokenizer refused every parity text");
            }
            parity = new ParityFile("clstream engine at build time (ONNX Runtime " + ortVersion() + ", "
                    + engine.options().provider() + "); each text run alone", variant, embeddingTolerance,
                    probabilityTolerance, entries);
        }
        parity.write(bundle.directory().resolve(ParityFile.FILE_NAME));
        Map<String, String> files = new HashMap<>(bundle.manifest().files());
        files.put(ParityFile.FILE_NAME, "");
        BundleManifest manifest = bundle.manifest().withFiles(files);
        return ModelBundle.write(bundle.directory(), manifest);
    }

    /** The default parity texts, shared with export_hf.py. */
    public static List<String> defaultTexts() {
        try (InputStream in = ParityRecorder.class.getResourceAsStream(DEFAULT_TEXTS)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_TEXTS + " is missing from the class path");
            }
            return readTexts(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One text per line, or JSON lines with a "text" field. */
    public static List<String> readTexts(BufferedReader reader) throws IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> texts = new ArrayList<>();
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.isBlank()) {
                continue;
            }
            texts.add(line.stripLeading().startsWith("{") ? json.readTree(line).path("text").asText() : line);
        }
        return texts;
    }

    private static String ortVersion() {
        String v = ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

}
