package dev.clstream.bundle;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.testing.TestBundles;
import dev.clstream.testing.TinyEncoderModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every way a bundle can be unusable ends in a {@link BundleException} whose message names the file,
 * field or tensor at fault (and the real values, where there are any). Each test starts from a valid
 * tiny bundle and breaks exactly one thing.
 */
class BundleValidationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EncoderOptions OPTIONS = EncoderOptions.builder().concurrency(1).build();

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- baseline

    @Test
    void untouchedTinyBundleLoadsAndOpens() {
        TestBundles.tiny(dir);
        ModelBundle bundle = ModelBundle.load(dir);
        assertEquals(TestBundles.TINY_LABELS, bundle.manifest().labels());
        try (InferenceEngine engine = InferenceEngine.open(bundle, OPTIONS)) {
            assertEquals(8, engine.hiddenSize());
        }
    }

    // ---------------------------------------------------------------- directory and bundle.json

    @Test
    void directoryMissing() {
        Path missing = dir.resolve("no-such-bundle");
        BundleException e = loadFails(missing);
        assertMessageNames(e, "no-such-bundle", "does not exist");
    }

    @Test
    void directoryIsAFile() throws IOException {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        assertMessageNames(loadFails(file), "plain-file", "not a directory");
    }

    @Test
    void bundleJsonMissing() throws IOException {
        TestBundles.tiny(dir);
        Files.delete(dir.resolve(BundleManifest.FILE_NAME));
        assertMessageNames(loadFails(dir), "bundle.json", "is missing", dir.getFileName().toString());
    }

    @Test
    void bundleJsonNotJson() throws IOException {
        TestBundles.tiny(dir);
        Files.writeString(dir.resolve(BundleManifest.FILE_NAME), "{\n  \"name\": \"tiny\",\n  oops\n}\n");
        BundleException e = loadFails(dir);
        assertMessageNames(e, "bundle.json", "not valid JSON", "line 3");
    }

    @Test
    void bundleJsonNotAnObject() throws IOException {
        TestBundles.tiny(dir);
        Files.writeString(dir.resolve(BundleManifest.FILE_NAME), "[1, 2, 3]");
        assertMessageNames(loadFails(dir), "bundle.json", "must be a JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"name", "version", "max_length", "format_version"})
    void requiredScalarFieldMissing(String field) throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        assertTrue(m.has(field), "precondition: the valid bundle has " + field);
        m.remove(field);
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "required field '" + field + "' is missing");
    }

    @Test
    void requiredFilesObjectMissing() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        m.remove("files");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "'files'", "missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.onnx", "tokenizer.json"})
    void filesObjectLacksARequiredFile(String file) throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        ((ObjectNode) m.get("files")).remove(file);
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "files must list " + file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "\"   \"", "42"})
    void nameMustBeANonEmptyString(String value) throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        m.set("name", JSON.readTree(value));
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "'name'", "non-empty string");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "1", "0", "-5", "1048577", "12.5", "\"128\""})
    void maxLengthOutOfRange(String value) throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        m.set("max_length", JSON.readTree(value));
        writeManifest(m);
        BundleException e = loadFails(dir);
        assertMessageNames(e, "bundle.json", "'max_length'", "[3, 1048576]", "got " + value);
    }

    @Test
    void maxLengthBoundsAreInclusive() throws IOException {
        TestBundles.tiny(dir);
        for (int ok : new int[] {3, 1 << 20}) {
            ObjectNode m = manifest();
            m.put("max_length", ok);
            writeManifest(m);
            assertEquals(ok, ModelBundle.load(dir).manifest().maxLength());
        }
    }

    @Test
    void formatVersionUnsupported() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        m.put("format_version", 3);
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "format_version 3 is not supported", "reads 1 and 2");
    }

    // ---------------------------------------------------------------- several heads (format 2)

    @Test
    void severalHeadsRoundTripAndOpen() {
        TestBundles.tinyWithHeads(dir, TestBundles.TINY_HEADS);
        BundleManifest m = ModelBundle.load(dir).manifest();
        assertEquals(BundleManifest.HEADS_FORMAT_VERSION, m.formatVersion());
        assertEquals(TestBundles.TINY_HEADS, m.heads());
        assertEquals(TestBundles.TINY_LABELS, m.labels(), "the primary's labels");
        assertEquals(m, BundleManifest.fromJson(m.toJson(), "again"));
        try (InferenceEngine engine = InferenceEngine.open(ModelBundle.load(dir), OPTIONS)) {
            assertEquals(8, engine.hiddenSize());
        }
    }

    @Test
    void oneHeadIsWrittenInFormatOneAsBefore() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        assertEquals(1, m.get("format_version").asInt());
        assertTrue(m.has("labels") && m.has("logits") && !m.has("heads"), m.toString());
        assertEquals(java.util.List.of(ClassifierHead.DEFAULT_NAME),
                ModelBundle.load(dir).manifest().heads().stream().map(ClassifierHead::name).toList());
    }

    @Test
    void headsInFormatOne() throws IOException {
        TestBundles.tinyWithHeads(dir, TestBundles.TINY_HEADS);
        ObjectNode m = manifest();
        m.put("format_version", 1);
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "'heads' needs format_version 2");
    }

    @Test
    void labelsAtTheTopInFormatTwo() throws IOException {
        TestBundles.tinyWithHeads(dir, TestBundles.TINY_HEADS);
        ObjectNode m = manifest();
        m.putArray("labels").add("a").add("b");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "keeps 'labels' in each entry of 'heads'");
    }

    @Test
    void formatTwoWithoutHeads() throws IOException {
        TestBundles.tinyWithHeads(dir, TestBundles.TINY_HEADS);
        ObjectNode m = manifest();
        m.remove("heads");
        m.set("head", JSON.createArrayNode()); // a typo must not make an embedding-only bundle
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "format_version 2 needs 'heads'");
    }

    @Test
    void headNamedTwice() throws IOException {
        TestBundles.tinyWithHeads(dir, TestBundles.TINY_HEADS);
        ObjectNode m = manifest();
        ((ObjectNode) m.get("heads").get(2)).put("name", "topic");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "head 'topic' appears twice");
    }

    @Test
    void headNameNotPlain() throws IOException {
        TestBundles.tinyWithHeads(dir, TestBundles.TINY_HEADS);
        ObjectNode m = manifest();
        ((ObjectNode) m.get("heads").get(1)).put("name", "to pic");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "heads[1]", "'to pic'");
    }

    @Test
    void headWithoutLogits() throws IOException {
        TestBundles.tinyWithHeads(dir, TestBundles.TINY_HEADS);
        ObjectNode m = manifest();
        ((ObjectNode) m.get("heads").get(1)).remove("logits");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "heads[1]", "labels are given", "'logits'");
    }

    @Test
    void headRowsDifferFromItsLabels() throws IOException {
        TestBundles.tinyWithHeads(dir, TestBundles.TINY_HEADS);
        ObjectNode m = manifest();
        ((ArrayNode) m.get("heads").get(2).get("labels")).add("medium");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "heads[2]", "2 classes", "names 3", "medium");
    }

    @Test
    void twoHeadsFromTheGraph() {
        LogitsSource graph = new LogitsSource.GraphOutput(BundleManifest.DEFAULT_LOGITS_OUTPUT, 2);
        BundleException e = assertThrows(BundleException.class, () -> TestBundles.tinyWithHeads(dir, java.util.List.of(
                new ClassifierHead("a", TestBundles.TINY_LABELS, graph),
                new ClassifierHead("b", TestBundles.TINY_LABELS, graph))));
        assertMessageNames(e, "at most one head may take its logits from the graph");
    }

    @Test
    void aSecondHeadsWidthDiffersFromTheHiddenSize() {
        TestBundles.tinyWithHeads(dir, java.util.List.of(TestBundles.TINY_HEADS.get(0),
                new ClassifierHead("wide", TestBundles.TINY_LABELS, TestBundles.linearHead(2, 9, 3))));
        assertMessageNames(openFails(ModelBundle.load(dir)), "bundle.json", "head 'wide'", "9 columns",
                "hidden size", "is 8");
    }

    @Test
    void formatVersionZero() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        m.put("format_version", 0);
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "'format_version'", "got 0");
    }

    // ---------------------------------------------------------------- files and checksums

    @ParameterizedTest
    @ValueSource(strings = {"model.onnx", "tokenizer.json"})
    void listedFileMissing(String file) throws IOException {
        TestBundles.tiny(dir);
        Files.delete(dir.resolve(file));
        assertMessageNames(loadFails(dir), "file " + file + " is listed in bundle.json but missing");
    }

    @Test
    void extraListedFileMissing() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        ((ObjectNode) m.get("files")).put("vocab.txt", "0".repeat(64));
        writeManifest(m);
        assertMessageNames(loadFails(dir), "file vocab.txt is listed in bundle.json but missing");
    }

    @Test
    void checksumMismatchNamesFileAndBothSums() throws IOException {
        TestBundles.tiny(dir);
        String recorded = ModelBundle.load(dir).modelSha256();
        Path model = dir.resolve(BundleManifest.MODEL_FILE);
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(model, bytes);
        String actual = Sha256.of(model);
        assertNotEquals(recorded, actual);

        BundleException e = loadFails(dir);
        assertMessageNames(e, "checksum mismatch for model.onnx", recorded, actual);
    }

    @Test
    void checksumMismatchOnTokenizer() throws IOException {
        TestBundles.tiny(dir);
        Path tok = dir.resolve(BundleManifest.TOKENIZER_FILE);
        Files.writeString(tok, Files.readString(tok) + "\n");
        assertMessageNames(loadFails(dir), "checksum mismatch for tokenizer.json", Sha256.of(tok));
    }

    @ParameterizedTest
    @ValueSource(strings = {"upper-case", "short", "not-hex", "number"})
    void sha256Malformed(String kind) throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        ObjectNode files = (ObjectNode) m.get("files");
        String good = files.get("model.onnx").asText();
        switch (kind) {
            case "upper-case" -> files.put("model.onnx", good.toUpperCase());
            case "short" -> files.put("model.onnx", good.substring(1));
            case "not-hex" -> files.put("model.onnx", "g" + good.substring(1));
            default -> files.put("model.onnx", 12345);
        }
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "files.model.onnx", "sha256");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "sub/x", "/etc/passwd", "a\\b", ""})
    void filesEntryThatIsNotAPlainFileName(String name) throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        ((ObjectNode) m.get("files")).put(name, "0".repeat(64));
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "'" + name + "'", "not a plain file name");
    }

    // ---------------------------------------------------------------- labels and logits

    @Test
    void labelsDuplicate() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        m.putArray("labels").add("negative").add("negative");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "label 'negative' appears twice");
    }

    @Test
    void labelBlank() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        m.putArray("labels").add("negative").add(" ");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "labels[1]");
    }

    @Test
    void labelsWithoutLogitsSection() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        m.remove("logits");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "labels are given", "'logits'");
    }

    @Test
    void logitsSourceUnknown() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        ((ObjectNode) m.get("logits")).put("source", "mlp");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "logits.source", "'mlp'");
    }

    @Test
    void linearHeadRowsDifferFromLabelCount() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        ((ArrayNode) m.get("labels")).add("neutral");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "2 classes", "names 3", "neutral");
    }

    @Test
    void biasLengthDiffersFromRows() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        ((ArrayNode) m.get("logits").get("bias")).remove(1);
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "logits.bias has 1 values", "2 rows");
    }

    @Test
    void biasMissing() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        ((ObjectNode) m.get("logits")).remove("bias");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "logits.bias");
    }

    @Test
    void weightsMissing() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        ((ObjectNode) m.get("logits")).putArray("weights");
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "logits.weights");
    }

    @Test
    void headRowsOfDifferentLength() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        ((ArrayNode) m.get("logits").get("weights").get(1)).remove(0);
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "rows differ in length", "row 0 has 8", "row 1 has 7");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"x\"", "null", "true", "[1]"})
    void nonNumericWeight(String value) throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        ((ArrayNode) m.get("logits").get("weights").get(0)).set(3, JSON.readTree(value));
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "logits.weights[0][3]", "not a finite");
    }

    @Test
    void weightOutsideFloatRange() throws IOException {
        TestBundles.tiny(dir);
        ObjectNode m = manifest();
        ((ArrayNode) m.get("logits").get("weights").get(0)).set(3, JSON.readTree("1e39"));
        writeManifest(m);
        assertMessageNames(loadFails(dir), "bundle.json", "logits.weights[0][3]");
    }

    @Test
    void maxLengthTooSmallToHoldAnyText() {
        TestBundles.write(dir, b -> b, TestBundles.TINY_LABELS, Optional.of(TestBundles.linearHead(2, 8, 7)), 2);
        BundleException e = assertThrows(BundleException.class, () -> {
            try (InferenceEngine ignored = InferenceEngine.open(ModelBundle.load(dir), OPTIONS)) {
                // must not get here
            }
        });
        assertMessageNames(e, "max_length");
    }

    @Test
    void headHiddenSizeDiffersFromEncoder() {
        TestBundles.tiny(dir, b -> b, TestBundles.linearHead(2, 6, 7));
        ModelBundle bundle = ModelBundle.load(dir); // the manifest alone cannot know the encoder's width
        BundleException e = openFails(bundle);
        assertMessageNames(e, "bundle.json", "logits.weights has 6 columns", "hidden size", "is 8");
    }

    @Test
    void headHiddenSizeIsCheckedAgainstTheRealWidthWhenTheGraphDeclaresItSymbolic() {
        // The graph declares last_hidden_state as [batch, sequence, "hidden"]: only a run shows it is 5.
        TestBundles.tiny(dir, b -> b.hidden(5).symbolicHidden(true), TestBundles.linearHead(2, 8, 7));
        BundleException e = openFails(ModelBundle.load(dir));
        assertMessageNames(e, "logits.weights has 8 columns", "is 5");
    }

    @Test
    void symbolicHiddenWithMatchingHeadOpens() {
        TestBundles.tiny(dir, b -> b.hidden(5).symbolicHidden(true), TestBundles.linearHead(2, 5, 7));
        try (InferenceEngine engine = InferenceEngine.open(ModelBundle.load(dir), OPTIONS)) {
            assertEquals(5, engine.hiddenSize());
        }
    }

    // ---------------------------------------------------------------- graph logits

    @Test
    void graphLogitsOutputMissingListsRealOutputs() {
        TestBundles.write(dir, b -> b, TestBundles.TINY_LABELS,
                Optional.of(new LogitsSource.GraphOutput("logits", 2)), 32);
        BundleException e = openFails(ModelBundle.load(dir));
        assertMessageNames(e, "model.onnx", "graph output 'logits'", "does not have",
                "last_hidden_state float[batch,sequence,8]");
    }

    @Test
    void graphLogitsOutputNamedOtherwiseInManifest() throws IOException {
        TestBundles.tinyWithGraphLogits(dir, TestBundles.TINY_LABELS);
        ObjectNode m = manifest();
        ((ObjectNode) m.get("logits")).put("output", "scores");
        writeManifest(m);
        BundleException e = openFails(ModelBundle.load(dir));
        assertMessageNames(e, "model.onnx", "'scores'", "logits float[batch,2]", "last_hidden_state");
    }

    @Test
    void graphLogitsWidthDiffersFromLabelCount() {
        TestBundles.write(dir, b -> b.logitsLabels(3), TestBundles.TINY_LABELS,
                Optional.of(new LogitsSource.GraphOutput("logits", 2)), 32);
        BundleException e = openFails(ModelBundle.load(dir));
        assertMessageNames(e, "model.onnx", "output 'logits' has 3 classes", "names 2 labels");
    }

    // ---------------------------------------------------------------- graph inputs and outputs

    @Test
    void inputIdsNamedDifferently() {
        BundleException e = openFails(tinyModel(b -> b.inputIdsName("ids")));
        assertMessageNames(e, "model.onnx", "no input 'input_ids'", "ids int64[batch,sequence]",
                "attention_mask int64[batch,sequence]");
    }

    @Test
    void attentionMaskNamedDifferently() {
        BundleException e = openFails(tinyModel(b -> b.attentionMaskName("mask")));
        assertMessageNames(e, "model.onnx", "no input 'attention_mask'", "mask int64[batch,sequence]");
    }

    @Test
    void extraRequiredInput() {
        BundleException e = openFails(tinyModel(b -> b.extraInput("position_ids")));
        assertMessageNames(e, "model.onnx", "requires input 'position_ids'", "position_ids int64[batch,sequence]");
    }

    @Test
    void int32Inputs() {
        BundleException e = openFails(tinyModel(b -> b.inputType(TinyEncoderModel.IndexType.INT32)));
        assertMessageNames(e, "model.onnx", "must be int64", "int32[batch,sequence]");
    }

    @Test
    void hiddenStateOutputNamedDifferently() {
        BundleException e = openFails(tinyModel(b -> b.outputName("hidden")));
        assertMessageNames(e, "model.onnx", "no output 'last_hidden_state'", "hidden float[batch,sequence,8]");
    }

    @Test
    void tokenTypeIdsInputIsAccepted() {
        try (InferenceEngine engine = InferenceEngine.open(tinyModel(b -> b.withTokenTypeIds(true)), OPTIONS)) {
            assertEquals(8, engine.hiddenSize());
        }
    }

    @Test
    void modelThatIsNotOnnx() throws IOException {
        ModelBundle valid = TestBundles.tiny(dir);
        byte[] garbage = new byte[4096];
        new SplittableRandom(3).nextBytes(garbage);
        Files.write(valid.modelFile(), garbage);
        ModelBundle.write(dir, valid.manifest()); // matching checksum: only ONNX Runtime can tell
        ModelBundle reloaded = ModelBundle.load(dir);
        BundleException e = openFails(reloaded);
        assertMessageNames(e, "model.onnx", "cannot load the model");
    }

    // ---------------------------------------------------------------- tokenizer

    @Test
    void tokenizerJsonNotATokenizer() throws IOException {
        ModelBundle valid = TestBundles.tiny(dir);
        Files.writeString(valid.tokenizerFile(), "{\"hello\": \"world\"}");
        ModelBundle.write(dir, valid.manifest());
        BundleException e = openFails(ModelBundle.load(dir));
        assertMessageNames(e, "tokenizer.json", "not a loadable Hugging Face tokenizer");
    }

    @Test
    void tokenizerJsonNotJson() throws IOException {
        ModelBundle valid = TestBundles.tiny(dir);
        Files.writeString(valid.tokenizerFile(), "this is not json");
        ModelBundle.write(dir, valid.manifest());
        BundleException e = openFails(ModelBundle.load(dir));
        assertMessageNames(e, "tokenizer.json", "not valid JSON");
    }

    @Test
    void tokenizerWithoutPostProcessorDoesNotAddCls() throws IOException {
        ModelBundle valid = TestBundles.tiny(dir);
        ObjectNode tok = (ObjectNode) JSON.readTree(valid.tokenizerFile().toFile());
        assertTrue(tok.has("post_processor"), "precondition");
        tok.remove("post_processor");
        JSON.writeValue(valid.tokenizerFile().toFile(), tok);
        ModelBundle.write(dir, valid.manifest());
        BundleException e = openFails(ModelBundle.load(dir));
        assertMessageNames(e, "tokenizer.json", "post_processor", "[CLS]");
    }

    // ---------------------------------------------------------------- helpers

    private ModelBundle tinyModel(UnaryOperator<TinyEncoderModel.Builder> model) {
        TestBundles.tiny(dir, model, TestBundles.linearHead(2, 8, 7));
        return ModelBundle.load(dir);
    }

    private ObjectNode manifest() throws IOException {
        return (ObjectNode) JSON.readTree(dir.resolve(BundleManifest.FILE_NAME).toFile());
    }

    private void writeManifest(ObjectNode m) throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(BundleManifest.FILE_NAME).toFile(), m);
    }

    private static BundleException loadFails(Path bundleDir) {
        return assertThrows(BundleException.class, () -> ModelBundle.load(bundleDir));
    }

    private static BundleException openFails(ModelBundle bundle) {
        return assertThrows(BundleException.class, () -> {
            try (InferenceEngine ignored = InferenceEngine.open(bundle, OPTIONS)) {
                // must not get here
            }
        });
    }
}
