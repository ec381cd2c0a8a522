package dev.clstream.export.hf;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.ParityFile;
import dev.clstream.bundle.Sha256;
import dev.clstream.cli.ClstreamCli;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.ParityCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java engine against PyTorch on every build: the bundles under src/test/resources/hf-export
 * were written by export_hf.py (model-export/tests/make_fixtures.py) from tiny random BERT models,
 * with PyTorch's token ids, h_0 and probabilities in their parity.json.
 */
class HfExportFixturesTest {
    private static final Path FIXTURES = Path.of("src/test/resources/hf-export");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private record Run(int exit, String out) {}

    private static Run verifyBundle(Path dir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = ClstreamCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("verify-bundle", dir.toString());
        return new Run(exit, out + err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert-classifier", "tiny-bert-classifier-int8", "tiny-bert-classifier-fp16",
            "tiny-bert-encoder"})
    void verifyBundlePassesOnTheExportedFixtures(String name) {
        Run run = verifyBundle(FIXTURES.resolve(name));
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("parity PASSED: 13 of 13 texts passed"), run.out());
    }

    @Test
    void javaTokenizerGivesThePythonTokenizersIdsAndH0MatchesPyTorchClosely() {
        ModelBundle bundle = ModelBundle.load(FIXTURES.resolve("tiny-bert-classifier"));
        ParityFile parity = ParityFile.of(bundle).orElseThrow();
        assertTrue(parity.reference().startsWith("PyTorch"), parity.reference());
        assertTrue(parity.texts().stream().anyMatch(ParityFile.Entry::truncated), "a truncated text is among them");
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.builder().build())) {
            for (ParityFile.Entry e : parity.texts()) {
                assertArrayEquals(e.inputIds(), engine.tokenize(e.text()).ids(), e.text());
            }
            ParityCheck.Report report = ParityCheck.run(engine, parity);
            assertTrue(report.passed(), report.summary());
            // Far inside the 1e-4 tolerance: the same fp32 graph, another runtime binding.
            assertTrue(report.maxEmbeddingDiff() < 1e-5, report.summary());
            assertTrue(report.maxProbabilityDiff() < 1e-6, report.summary());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert-classifier", "tiny-bert-encoder"})
    void verifyBundleFailsOnACopyWithOneAlteredWeight(String name) throws IOException {
        Path copy = copyOf(name);
        byte[] model = Files.readAllBytes(copy.resolve("model.onnx"));
        Map<String, OnnxInitializers.RawData> initializers = OnnxInitializers.find(model);
        String embeddings = initializers.keySet().stream().filter(n -> n.endsWith("word_embeddings.weight"))
                .findFirst().orElseThrow(() -> new AssertionError("no word embeddings among " + initializers.keySet()));
        // One element of the [CLS] token's embedding row (id 2, hidden 32): every text starts with it.
        OnnxInitializers.addToFloat(model, initializers.get(embeddings), 2 * 32, 0.05f);
        Files.write(copy.resolve("model.onnx"), model);
        // A repacked bundle: checksums agree, so only the parity run can tell.
        rechecksum(copy);

        Run run = verifyBundle(copy);
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.out().contains("parity FAILED: 0 of 13 texts passed"), run.out());
        assertTrue(run.out().contains("h_0 differs from the reference"), run.out());
        // The app refuses to start on it (before any broker is started), naming the parity failure.
        var config = dev.clstream.config.ClstreamConfig.of(Map.of("model.bundle", copy.toString()));
        BundleException e = assertThrows(BundleException.class, () -> dev.clstream.runtime.ClstreamRuntime.start(config));
        assertMessageNames(e, "parity FAILED", "text #0: h_0 differs");
    }

    @Test
    void verifyBundleReportsATokenizerMismatch() throws IOException {
        Path copy = copyOf("tiny-bert-classifier");
        ObjectNode parity = (ObjectNode) JSON.readTree(copy.resolve("parity.json").toFile());
        ArrayNode ids = (ArrayNode) parity.withArray("texts").get(0).get("input_ids");
        ids.set(1, ids.get(1).asLong() + 1);
        Files.writeString(copy.resolve("parity.json"), JSON.writeValueAsString(parity));
        rechecksum(copy);

        Run run = verifyBundle(copy);
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.out().contains("tokenizer parity: the ids differ at position 1"), run.out());
        assertTrue(run.out().contains("12 of 13 texts passed"), run.out());
    }

    @Test
    void anAlteredModelWithTheOldChecksumIsRefusedBeforeAnyParityRun() throws IOException {
        Path copy = copyOf("tiny-bert-classifier");
        byte[] model = Files.readAllBytes(copy.resolve("model.onnx"));
        model[model.length - 10] ^= 1;
        Files.write(copy.resolve("model.onnx"), model);
        Run run = verifyBundle(copy);
        assertEquals(2, run.exit(), run.out());
        assertTrue(run.out().contains("checksum mismatch for model.onnx"), run.out());
    }

    @Test
    void aBundleWithoutParityFileCannotBeVerified() throws IOException {
        Path copy = copyOf("tiny-bert-encoder");
        Files.delete(copy.resolve("parity.json"));
        unlistParityFile(copy);
        Run run = verifyBundle(copy);
        assertEquals(2, run.exit(), run.out());
        assertTrue(run.out().contains("has no parity.json"), run.out());
    }

    @Test
    void anUnlistedParityFileIsRefused() throws IOException {
        Path copy = copyOf("tiny-bert-encoder");
        unlistParityFile(copy);
        BundleException e = assertThrows(BundleException.class, () -> ParityFile.of(ModelBundle.load(copy)));
        assertMessageNames(e, "parity.json is present but not listed");
        assertFalse(verifyBundle(copy).exit() == 0);
    }

    @Test
    void headTrainerPutsAClassifierOnTheExportedEncoder() throws IOException {
        // The second path of "bring your own model": an exported encoder plus labeled CSV -> a classifier bundle.
        StringBuilder csv = new StringBuilder("text,label\n");
        String[] spam = {"won free prize", "claim your prize now", "click here deal", "urgent free cruise"};
        String[] ham = {"meeting moved to tomorrow", "the agenda is attached", "we sat on the river bank", "hi anna"};
        for (int i = 0; i < 40; i++) {
            csv.append(spam[i % spam.length]).append(",spam\n").append(ham[i % ham.length]).append(",ham\n");
        }
        Path data = Files.writeString(tmp.resolve("labeled.csv"), csv);
        Path out = tmp.resolve("classifier");
        int exit = new picocli.CommandLine(new dev.clstream.export.cli.ExportCli()).execute("train-head", "--bundle", FIXTURES.resolve("tiny-bert-encoder").toString(), "--data",
                data.toString(), "--out", out.toString(), "--name", "tiny-spam", "--version", "1");
        assertEquals(0, exit, "train-head failed; its output is above");
        ModelBundle bundle = ModelBundle.load(out);
        assertEquals(List.of("ham", "spam"), bundle.manifest().labels());
        assertTrue(bundle.manifest().evaluation().has("held_out"), bundle.manifest().evaluation().toString());
        Run run = verifyBundle(out);
        assertEquals(0, run.exit(), run.out());
    }

    private Path copyOf(String name) throws IOException {
        Path target = tmp.resolve(name);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(FIXTURES.resolve(name))) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return target;
    }

    private static void unlistParityFile(Path bundle) throws IOException {
        ObjectNode manifest = (ObjectNode) JSON.readTree(bundle.resolve(BundleManifest.FILE_NAME).toFile());
        ((ObjectNode) manifest.get("files")).remove("parity.json");
        Files.writeString(bundle.resolve(BundleManifest.FILE_NAME), JSON.writeValueAsString(manifest));
    }

    private static void rechecksum(Path bundle) throws IOException {
        ObjectNode manifest = (ObjectNode) JSON.readTree(bundle.resolve(BundleManifest.FILE_NAME).toFile());
        ObjectNode files = (ObjectNode) manifest.get("files");
        List<String> names = new java.util.ArrayList<>();
        files.fieldNames().forEachRemaining(names::add);
        for (String f : names) {
            files.put(f, Sha256.of(bundle.resolve(f)));
        }
        Files.writeString(bundle.resolve(BundleManifest.FILE_NAME), JSON.writeValueAsString(manifest));
    }
}
