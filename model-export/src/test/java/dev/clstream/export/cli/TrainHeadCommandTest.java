package dev.clstream.export.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ClassifierHead;
import dev.clstream.bundle.LogitsSource;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.ParityFile;
import dev.clstream.export.build.ParityRecorder;
import dev.clstream.inference.ParityCheck;
import dev.clstream.export.build.HeldOutEvaluation;
import dev.clstream.export.data.LabeledDataReader;
import dev.clstream.export.data.LabeledText;
import dev.clstream.export.train.Evaluation;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Outcome;
import dev.clstream.testing.TestBundles;
import dev.clstream.testing.TinyTokenizerJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * train-head and evaluate end to end through the CLI, on a tiny generated encoder (no real model):
 * labels are decidable from which words of the tiny vocabulary a text uses.
 */
class TrainHeadCommandTest {
    static final List<String> SPAM_WORDS = List.of("great", "love", "good");
    static final List<String> HAM_WORDS = List.of("bad", "terrible", "hate");
    static final List<String> FILLER = List.of("the", "a", "and", "of", "is", "cat", "dog", "sat", "hello",
            "world", "movie", "product", "service");
    static final String SPAM_PROBE = "great love the good great cat love";
    static final String HAM_PROBE = "bad terrible the hate bad dog hate";

    @TempDir
    static Path shared;
    static Path encoder;
    static Path data;
    static List<LabeledText> examples;
    static Path out;
    static Run first;

    record Run(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeAll
    static void trainOnce() throws IOException {
        List<String> vocab = TinyTokenizerJson.defaultVocabulary();
        for (String w : Stream.of(SPAM_WORDS, HAM_WORDS, FILLER).flatMap(List::stream).toList()) {
            assertTrue(vocab.contains(w), w + " is not a whole word of the tiny vocabulary");
        }
        encoder = shared.resolve("tiny");
        TestBundles.tiny(encoder);
        examples = examples(200, 1);
        data = writeJsonl(shared.resolve("data.jsonl"), examples);
        out = shared.resolve("out");
        first = train("--bundle", encoder.toString(), "--out", out.toString());
        assertEquals(0, first.code(), first.all());
    }

    /** Half spam, half ham, interleaved; each text: 5 words of its class and 2 fillers, shuffled. */
    static List<LabeledText> examples(int n, long seed) {
        Random rnd = new Random(seed);
        List<LabeledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean spam = i % 2 == 0;
            List<String> words = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                words.add((spam ? SPAM_WORDS : HAM_WORDS).get(rnd.nextInt(SPAM_WORDS.size())));
            }
            for (int k = 0; k < 2; k++) {
                words.add(FILLER.get(rnd.nextInt(FILLER.size())));
            }
            Collections.shuffle(words, rnd);
            out.add(new LabeledText("t" + i, String.join(" ", words), spam ? "spam" : "ham"));
        }
        return out;
    }

    static Path writeJsonl(Path file, List<LabeledText> examples) throws IOException {
        ObjectMapper json = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (LabeledText e : examples) {
            sb.append(json.createObjectNode().put("id", e.id()).put("text", e.text()).put("label", e.label()))
                    .append('\n');
        }
        return Files.writeString(file, sb.toString());
    }

    static Path writeCsv(Path file, List<LabeledText> examples) throws IOException {
        StringBuilder sb = new StringBuilder("id,text,label\r\n");
        for (LabeledText e : examples) {
            sb.append(e.id()).append(",\"").append(e.text().replace("\"", "\"\"")).append("\",").append(e.label())
                    .append("\r\n");
        }
        return Files.writeString(file, sb.toString());
    }

    /**
     * train-head with the shared data, name "n", version "1" and labels ham,spam unless {@code args}
     * (options with their values, and flags) give others; {@code "--labels", null} leaves them out.
     */
    static Run train(String... args) {
        java.util.LinkedHashMap<String, String> options = new java.util.LinkedHashMap<>();
        options.put("--data", data.toString());
        options.put("--name", "n");
        options.put("--version", "1");
        options.put("--labels", "ham,spam");
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            boolean hasValue = i + 1 < args.length && (args[i + 1] == null || !args[i + 1].startsWith("--"));
            if (hasValue) {
                options.put(args[i], args[++i]);
            } else {
                flags.add(args[i]);
            }
        }
        List<String> all = new ArrayList<>(List.of("train-head"));
        options.forEach((k, v) -> {
            if (v != null) {
                all.add(k);
                all.add(v);
            }
        });
        all.addAll(flags);
        return cli(all.toArray(String[]::new));
    }

    static synchronized Run cli(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code;
        try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            CommandLine cmd = new CommandLine(new ExportCli());
            cmd.setErr(new PrintWriter(err, true));
            code = cmd.execute(args);
        } finally {
            System.setOut(stdout);
        }
        Run r = new Run(code, buf.toString(StandardCharsets.UTF_8), err.toString());
        stdout.println("$ " + String.join(" ", args) + "\n" + r.all());
        return r;
    }

    static JsonNode bundleJson(Path dir) throws IOException {
        return new ObjectMapper().readTree(dir.resolve(BundleManifest.FILE_NAME).toFile());
    }

    static String classify(InferenceEngine engine, String text) {
        Outcome o = engine.classify(List.of(text)).get(0);
        return assertInstanceOf(Outcome.Success.class, o).prediction().classification().label();
    }

    // ---- train-head ----

    @Test
    void aSavedHeadAssemblesTheSameBundleWithoutEmbeddingAndOnlyFromTheSameInputs() throws IOException {
        Path head = shared.resolve("committed-head");
        Path trained = shared.resolve("trained");
        Path trainedHeldOut = shared.resolve("trained-held-out.jsonl.gz");
        Run t = train("--bundle", encoder.toString(), "--out", trained.toString(), "--save-head", head.toString(),
                "--held-out-file", trainedHeldOut.toString());
        assertEquals(0, t.code(), t.all());
        assertEquals(List.of("bundle.json", "parity.json"), Files.list(head).map(p -> p.getFileName().toString())
                .sorted().toList());

        Path assembled = shared.resolve("assembled");
        Path assembledHeldOut = shared.resolve("assembled-held-out.jsonl.gz");
        Run a = train("--bundle", encoder.toString(), "--out", assembled.toString(), "--from-head", head.toString(),
                "--held-out-file", assembledHeldOut.toString());
        assertEquals(0, a.code(), a.all());
        assertTrue(a.out().contains("assembled bundle"), a.out());
        assertFalse(a.out().contains("embedded"), "nothing is embedded: " + a.out());
        for (String file : List.of("bundle.json", "parity.json", "model.onnx", "tokenizer.json")) {
            assertArrayEquals(Files.readAllBytes(trained.resolve(file)), Files.readAllBytes(assembled.resolve(file)),
                    file);
        }
        assertEquals(readGzip(trainedHeldOut), readGzip(assembledHeldOut), "the same held-out texts, rebuilt from the split");
        try (InferenceEngine engine = InferenceEngine.open(ModelBundle.load(assembled), EncoderOptions.defaults())) {
            assertEquals("spam", classify(engine, SPAM_PROBE));
        }

        // Another setting (here the version) makes another head: the committed one is refused, not used.
        Run refused = train("--bundle", encoder.toString(), "--out", shared.resolve("refused").toString(),
                "--version", "2", "--from-head", head.toString());
        assertNotEquals(0, refused.code());
        assertTrue(refused.all().contains("trained from other inputs") && refused.all().contains("-Pretrain-heads"),
                refused.all());
        assertFalse(Files.exists(shared.resolve("refused")), "nothing written");
    }

    static String readGzip(Path file) throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }


    @Test
    void trainHeadWritesALoadableBundleWithItsEvaluation() throws IOException {
        assertTrue(first.out().contains("n: 200 labeled examples"), first.out());
        assertTrue(first.out().contains("held-out evaluation"), first.out());
        assertTrue(first.out().contains("wrote bundle"), first.out());

        ModelBundle bundle = ModelBundle.load(out);
        BundleManifest m = bundle.manifest();
        assertEquals("n", m.name());
        assertEquals("1", m.version());
        assertEquals(List.of("ham", "spam"), m.labels());
        assertEquals(32, m.maxLength(), "max length comes from the encoder bundle");
        LogitsSource.LinearHead head = assertInstanceOf(LogitsSource.LinearHead.class, m.logits().orElseThrow());
        assertEquals(2, head.labelCount());
        assertEquals(8, head.hiddenSize());
        assertNotEquals(TestBundles.linearHead(2, 8, 7), head, "the tiny bundle's own head is ignored");
        assertArrayEquals(Files.readAllBytes(encoder.resolve("model.onnx")), Files.readAllBytes(out.resolve("model.onnx")));
        assertArrayEquals(Files.readAllBytes(encoder.resolve("tokenizer.json")),
                Files.readAllBytes(out.resolve("tokenizer.json")));

        JsonNode evaluation = bundleJson(out).get("evaluation");
        JsonNode heldOut = evaluation.get("held_out");
        assertEquals(40, heldOut.get("examples").asInt());
        assertEquals(160, evaluation.get("train_examples").asInt());
        assertEquals(40, evaluation.get("test_examples").asInt());
        assertEquals(42, evaluation.get("trainer").get("seed").asLong());
        assertEquals(0.2, evaluation.get("trainer").get("test_fraction").asDouble());
        assertTrue(heldOut.get("accuracy").asDouble() >= 0.9, "held-out accuracy " + heldOut);
        assertEquals(List.of("ham", "spam"), HeldOutEvaluation.stored(bundle).labels());

        JsonNode provenance = bundleJson(out).get("provenance");
        assertEquals("data.jsonl", provenance.get("training_data").asText());
        assertEquals(dev.clstream.bundle.Sha256.of(data), provenance.get("training_data_sha256").asText());
        assertEquals("labeled", provenance.get("training_data_format").asText());
        assertEquals(200, provenance.get("examples").asInt());
        assertEquals(0, provenance.get("skipped_empty_examples").asInt());
        assertEquals("tiny@0.0.1-test", provenance.get("encoder").asText());
        assertEquals(64, provenance.get("inputs_fingerprint").asText().length());

        // parity.json: the engine's own outputs for the default parity texts, listed with its checksum.
        assertTrue(m.files().containsKey("parity.json"), m.files().toString());
        ParityFile parity = ParityFile.of(bundle).orElseThrow();
        assertEquals(ParityRecorder.defaultTexts().size(), parity.texts().size());
        assertEquals("fp32", parity.variant());
        assertTrue(parity.texts().stream().allMatch(e -> e.probabilities().length == 2 && e.clsEmbedding().length == 8));
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults())) {
            ParityCheck.Report report = ParityCheck.run(engine, parity);
            assertTrue(report.passed(), report.summary());
        }
    }

    /** {@code clstream classify --verify} runs the bundle's parity.json first, and stops when it fails. */
    @Test
    void classifyVerifyPassesOnTheBundleAndStopsOnATamperedParityFile() throws IOException {
        StringWriter err = new StringWriter();
        CommandLine cli = dev.clstream.cli.ClstreamCli.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        assertEquals(0, cli.execute("classify", "--verify", "--bundle", out.toString(), SPAM_PROBE), err.toString());
        assertTrue(err.toString().contains("parity PASSED"), err.toString());

        // Another machine's engine computing something else looks like this: the recorded values no longer match.
        Path tampered = shared.resolve("tampered");
        Files.createDirectories(tampered);
        for (String file : List.of("model.onnx", "tokenizer.json", "bundle.json", "parity.json")) {
            Files.copy(out.resolve(file), tampered.resolve(file));
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode parity = json.readTree(tampered.resolve("parity.json").toFile());
        var probabilities = (com.fasterxml.jackson.databind.node.ArrayNode) parity.get("texts").get(0).get("probabilities");
        probabilities.set(0, probabilities.get(0).asDouble() + 0.25);
        json.writeValue(tampered.resolve("parity.json").toFile(), parity);
        ModelBundle.write(tampered, ModelBundle.load(out).manifest()); // the checksums of the files as they are now
        StringWriter err2 = new StringWriter();
        CommandLine again = dev.clstream.cli.ClstreamCli.commandLine();
        StringWriter out2 = new StringWriter();
        again.setOut(new PrintWriter(out2, true));
        again.setErr(new PrintWriter(err2, true));
        assertEquals(2, again.execute("classify", "--verify", "--bundle", tampered.toString(), SPAM_PROBE));
        assertTrue(err2.toString().contains("parity FAILED") && err2.toString().contains("text #"), err2.toString());
        assertEquals("", out2.toString(), "nothing classified by a bundle that failed its parity check");
    }

    /** train-head --add-to: a new version with the bundle's head as it was and the new one after it. */
    @Test
    void addToWritesANewVersionWithBothHeads() throws IOException {
        // The second task: the same texts, the other way round, under other names.
        List<LabeledText> flipped = examples.stream()
                .map(e -> new LabeledText(e.id(), e.text(), e.label().equals("spam") ? "calm" : "angry")).toList();
        Path flippedData = writeJsonl(shared.resolve("mood.jsonl"), flipped);
        Path two = shared.resolve("two-heads");
        Run run = cli("train-head", "--add-to", out.toString(), "--head", "mood", "--data", flippedData.toString(),
                "--version", "2", "--out", two.toString());
        assertEquals(0, run.code(), run.all());

        BundleManifest before = ModelBundle.load(out).manifest();
        BundleManifest after = ModelBundle.load(two).manifest();
        assertEquals(BundleManifest.HEADS_FORMAT_VERSION, after.formatVersion());
        assertEquals("n", after.name(), "the bundle's name by default");
        assertEquals("2", after.version());
        assertEquals(List.of("default", "mood"), after.heads().stream().map(ClassifierHead::name).toList());
        assertEquals(before.heads().get(0).logits(), after.heads().get(0).logits(), "the primary as it was");
        assertEquals(List.of("angry", "calm"), after.heads().get(1).labels());
        assertEquals(before.files().get("model.onnx"), after.files().get("model.onnx"), "the same encoder");
        JsonNode json = bundleJson(two);
        assertEquals(before.evaluation(), ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("evaluation"))
                .deepCopy().without("heads"), "the primary's evaluation kept");
        assertTrue(json.get("evaluation").get("heads").get("mood").get("held_out").get("accuracy").asDouble() >= 0.9,
                json.get("evaluation").toString());
        assertEquals("mood.jsonl", json.get("provenance").get("heads").get("mood").get("training_data").asText());
        assertEquals("n@1", json.get("provenance").get("heads").get("mood").get("added_to").asText());
        ParityFile parity = ParityFile.of(ModelBundle.load(two)).orElseThrow();
        assertEquals(java.util.Set.of("mood"), parity.texts().get(0).heads().keySet(), "the added head is recorded");

        try (InferenceEngine engine = InferenceEngine.open(ModelBundle.load(two), EncoderOptions.defaults())) {
            var p = assertInstanceOf(Outcome.Success.class, engine.classify(List.of(SPAM_PROBE)).get(0)).prediction();
            assertEquals(List.of("spam", "calm"), p.heads().stream().map(c -> c.label()).toList());
            p = assertInstanceOf(Outcome.Success.class, engine.classify(List.of(HAM_PROBE)).get(0)).prediction();
            assertEquals(List.of("ham", "angry"), p.heads().stream().map(c -> c.label()).toList());
        }
        Run again = cli("train-head", "--add-to", out.toString(), "--head", "mood", "--data", flippedData.toString(),
                "--version", "2", "--out", two.toString());
        assertTrue(again.code() == 0 && again.out().contains("up to date"), again.all());

        Run taken = cli("train-head", "--add-to", two.toString(), "--head", "mood", "--data", flippedData.toString(),
                "--version", "3", "--out", shared.resolve("three").toString());
        assertNotEquals(0, taken.code());
        assertTrue(taken.all().contains("already has a head named 'mood'"), taken.all());
        Run sameVersion = cli("train-head", "--add-to", out.toString(), "--head", "x", "--data",
                flippedData.toString(), "--version", "1", "--out", shared.resolve("three").toString());
        assertTrue(sameVersion.code() != 0 && sameVersion.all().contains("give it another version"), sameVersion.all());
        Run chunks = cli("train-head", "--add-to", out.toString(), "--head", "x", "--data", flippedData.toString(),
                "--version", "3", "--out", shared.resolve("three").toString(), "--text-strategy", "chunks");
        assertNotEquals(0, chunks.code());
        assertTrue(chunks.all().contains("cannot be given with --add-to"), chunks.all());
    }

    /** The added head's bundle is checked as the bundle it was added to: its parity texts, precision, tolerances. */
    @Test
    void addToKeepsTheBundlesParitySettings() throws IOException {
        Path base = shared.resolve("int8-like");
        assertEquals(0, train("--bundle", encoder.toString(), "--out", base.toString(), "--parity-variant", "int8",
                "--parity-tolerance", "0.01").code());
        Path two = shared.resolve("int8-like-two");
        Run run = cli("train-head", "--add-to", base.toString(), "--head", "again", "--data", data.toString(),
                "--version", "2", "--out", two.toString());
        assertEquals(0, run.code(), run.all());
        ParityFile before = ParityFile.of(ModelBundle.load(base)).orElseThrow();
        ParityFile after = ParityFile.of(ModelBundle.load(two)).orElseThrow();
        assertEquals("int8", after.variant());
        assertEquals(before.embeddingTolerance(), after.embeddingTolerance());
        assertEquals(before.probabilityTolerance(), after.probabilityTolerance());
        assertEquals(before.texts().size(), after.texts().size());
        try (InferenceEngine engine = InferenceEngine.open(ModelBundle.load(two), EncoderOptions.defaults())) {
            assertTrue(ParityCheck.run(engine, after).passed());
        }
    }

    @Test
    void inferenceEngineClassifiesWithTheTrainedHead() {
        try (InferenceEngine engine = InferenceEngine.open(ModelBundle.load(out), EncoderOptions.defaults())) {
            assertEquals("spam", classify(engine, SPAM_PROBE));
            assertEquals("ham", classify(engine, HAM_PROBE));
            int right = 0;
            List<LabeledText> fresh = examples(100, 99);
            for (LabeledText e : fresh) {
                right += classify(engine, e.text()).equals(e.label()) ? 1 : 0;
            }
            assertTrue(right >= 90, right + "/100 fresh texts right");
        }
    }

    /** evaluate's split must be the one training held out: the engine reproduces the stored metrics. */
    @Test
    void engineReproducesTheStoredHeldOutEvaluation() {
        ModelBundle bundle = ModelBundle.load(out);
        Evaluation stored = HeldOutEvaluation.stored(bundle);
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults())) {
            Evaluation again = HeldOutEvaluation.run(engine, examples);
            assertEquals(stored.labels(), again.labels());
            for (int c = 0; c < 2; c++) {
                assertArrayEquals(stored.confusion()[c], again.confusion()[c], "confusion row " + c);
            }
            assertEquals(stored.logLoss(), again.logLoss(), 1e-5);
        }
    }

    @Test
    void identicalRunIsUpToDateAndLeavesTheBundleAlone() throws IOException {
        byte[] before = Files.readAllBytes(out.resolve("bundle.json"));
        var modified = Files.getLastModifiedTime(out.resolve("bundle.json"));
        Run again = train("--bundle", encoder.toString(), "--out", out.toString());
        assertEquals(0, again.code(), again.all());
        assertTrue(again.out().contains("up to date"), again.out());
        assertFalse(again.out().contains("wrote bundle"), again.out());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("bundle.json")));
        assertEquals(modified, Files.getLastModifiedTime(out.resolve("bundle.json")));
    }

    @Test
    void forceRebuildsTheSameHead() throws IOException {
        Path dir = shared.resolve("forced");
        assertEquals(0, train("--bundle", encoder.toString(), "--out", dir.toString()).code());
        JsonNode before = bundleJson(dir);
        Run forced = train("--bundle", encoder.toString(), "--out", dir.toString(), "--force");
        assertEquals(0, forced.code(), forced.all());
        assertFalse(forced.out().contains("up to date"), forced.out());
        assertTrue(forced.out().contains("wrote bundle"), forced.out());
        JsonNode after = bundleJson(dir);
        assertNotEquals(before.get("provenance").get("created"), after.get("provenance").get("created"),
                "bundle.json was rewritten");
        assertEquals(before.get("logits"), after.get("logits"), "training is deterministic");
        assertEquals(before.get("evaluation"), after.get("evaluation"));
        ModelBundle.load(dir);
    }

    @Test
    void changedSettingsOrDataRetrain() throws IOException {
        Path dir = shared.resolve("changed");
        Path myData = writeJsonl(shared.resolve("changed.jsonl"), examples);
        assertEquals(0, train("--bundle", encoder.toString(), "--out", dir.toString(), "--data", myData.toString()).code());
        Run seed = train("--bundle", encoder.toString(), "--out", dir.toString(), "--data", myData.toString(),
                "--seed", "7");
        assertTrue(seed.out().contains("wrote bundle") && !seed.out().contains("up to date"), seed.out());
        assertEquals(7, bundleJson(dir).get("evaluation").get("trainer").get("seed").asLong());

        writeJsonl(myData, examples.subList(0, 150));
        Run newData = train("--bundle", encoder.toString(), "--out", dir.toString(), "--data", myData.toString(),
                "--seed", "7");
        assertTrue(newData.out().contains("wrote bundle") && !newData.out().contains("up to date"), newData.out());
        assertEquals(150, bundleJson(dir).get("provenance").get("examples").asInt());

        Run version = train("--bundle", encoder.toString(), "--out", dir.toString(), "--data", myData.toString(),
                "--seed", "7", "--version", "2");
        assertTrue(version.out().contains("wrote bundle"), version.out());
        assertEquals("2", ModelBundle.load(dir).manifest().version());
    }

    @Test
    void bareModelAndTokenizerForm() throws IOException {
        Path dir = shared.resolve("bare");
        String[] args = {"--model", encoder.resolve("model.onnx").toString(), "--tokenizer",
                encoder.resolve("tokenizer.json").toString(), "--max-length", "24", "--out", dir.toString(),
                "--encoder-source", "tiny test encoder", "--description", "bare form"};
        Run r = train(args);
        assertEquals(0, r.code(), r.all());
        ModelBundle bundle = ModelBundle.load(dir);
        assertEquals(24, bundle.manifest().maxLength());
        assertEquals(List.of("ham", "spam"), bundle.manifest().labels());
        assertEquals("bare form", bundle.manifest().description());
        assertEquals("tiny test encoder", bundle.manifest().provenance().get("encoder").asText());
        assertEquals(ModelBundle.load(encoder).modelSha256(), bundle.modelSha256());
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults())) {
            assertEquals("spam", classify(engine, SPAM_PROBE));
            assertEquals("ham", classify(engine, HAM_PROBE));
        }
        Run again = train(args);
        assertEquals(0, again.code(), again.all());
        assertTrue(again.out().contains("up to date"), again.out());
    }

    @Test
    void encoderSourceIsBundleOrBareFilesNotBoth() {
        Run both = train("--bundle", encoder.toString(), "--model", encoder.resolve("model.onnx").toString(),
                "--tokenizer", encoder.resolve("tokenizer.json").toString(), "--max-length", "24",
                "--out", shared.resolve("both").toString());
        assertEquals(2, both.code(), both.all());
        Run neither = train("--out", shared.resolve("neither").toString());
        assertEquals(2, neither.code(), neither.all());
        Run partial = train("--model", encoder.resolve("model.onnx").toString(), "--out",
                shared.resolve("partial").toString());
        assertEquals(2, partial.code(), partial.all());
        assertFalse(Files.exists(shared.resolve("both")));
    }

    @Test
    void csvInput() throws IOException {
        List<LabeledText> withPunctuation = examples(200, 5).stream()
                .map(e -> new LabeledText(e.id(), e.text().replaceFirst(" ", ", \"") + "\"", e.label())).toList();
        Path csv = writeCsv(shared.resolve("data.csv"), withPunctuation);
        assertEquals(withPunctuation, LabeledDataReader.defaults().read(csv));
        Path dir = shared.resolve("csv");
        Run r = train("--bundle", encoder.toString(), "--out", dir.toString(), "--data", csv.toString());
        assertEquals(0, r.code(), r.all());
        ModelBundle bundle = ModelBundle.load(dir);
        assertEquals(List.of("ham", "spam"), bundle.manifest().labels());
        assertEquals("data.csv", bundle.manifest().provenance().get("training_data").asText());
        assertTrue(bundle.manifest().evaluation().get("held_out").get("accuracy").asDouble() >= 0.9);
        Run eval = cli("evaluate", "--bundle", dir.toString(), "--data", csv.toString(), "--min-accuracy", "0.9");
        assertEquals(0, eval.code(), eval.all());
    }

    @Test
    void labelOrderIsTheOneGiven() {
        Path dir = shared.resolve("reversed");
        Run r = train("--bundle", encoder.toString(), "--out", dir.toString(), "--labels", "spam,ham");
        assertEquals(0, r.code(), r.all());
        ModelBundle bundle = ModelBundle.load(dir);
        assertEquals(List.of("spam", "ham"), bundle.manifest().labels());
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults())) {
            assertEquals("spam", classify(engine, SPAM_PROBE));
            assertEquals("ham", classify(engine, HAM_PROBE));
        }
    }

    @Test
    void withoutLabelsTheOrderIsSorted() throws IOException {
        Path dir = shared.resolve("sorted");
        Run r = train("--bundle", encoder.toString(), "--out", dir.toString(), "--labels", null);
        assertEquals(0, r.code(), r.all());
        assertEquals(List.of("ham", "spam"), ModelBundle.load(dir).manifest().labels());
    }

    @Test
    void dataLabelOutsideTheGivenLabelsFailsWithoutWritingABundle() throws IOException {
        List<LabeledText> more = new ArrayList<>(examples);
        more.add(new LabeledText("odd", "hello world", "eggs"));
        Path file = writeJsonl(shared.resolve("eggs.jsonl"), more);
        Path dir = shared.resolve("eggs");
        Run r = train("--bundle", encoder.toString(), "--out", dir.toString(), "--data", file.toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("'eggs'"), r.err());
        assertFalse(Files.exists(dir.resolve("bundle.json")));
    }

    @Test
    void emptyTextsAreSkippedAndCounted() throws IOException {
        List<LabeledText> more = new ArrayList<>(examples);
        more.add(3, new LabeledText("e1", "", "spam"));
        more.add(50, new LabeledText("e2", "   \n\t", "ham"));
        more.add(new LabeledText("e3", "", "ham"));
        Path file = writeJsonl(shared.resolve("empties.jsonl"), more);
        Path dir = shared.resolve("empties");
        Run r = train("--bundle", encoder.toString(), "--out", dir.toString(), "--data", file.toString());
        assertEquals(0, r.code(), r.all());
        JsonNode json = bundleJson(dir);
        assertEquals(203, json.get("provenance").get("examples").asInt());
        assertEquals(3, json.get("provenance").get("skipped_empty_examples").asInt());
        assertEquals(200, json.get("evaluation").get("train_examples").asInt()
                + json.get("evaluation").get("test_examples").asInt());
        assertEquals(bundleJson(out).get("logits"), json.get("logits"),
                "skipped texts leave exactly the shared training set");
        Run eval = cli("evaluate", "--bundle", dir.toString(), "--data", file.toString());
        assertEquals(0, eval.code(), eval.all());
    }

    @Test
    void spamAssassinFormat() throws IOException {
        ObjectMapper json = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (LabeledText e : examples) {
            sb.append(json.createObjectNode().put("id", "g/" + e.id()).put("group", "g").put("label", e.label())
                    .put("subject", "hello").put("body", e.text())).append('\n');
        }
        Path file = Files.writeString(shared.resolve("sa.jsonl"), sb.toString());
        Path dir = shared.resolve("sa");
        Run r = train("--bundle", encoder.toString(), "--out", dir.toString(), "--data", file.toString(),
                "--format", "spamassassin");
        assertEquals(0, r.code(), r.all());
        assertEquals("spamassassin", ModelBundle.load(dir).manifest().provenance().get("training_data_format").asText());
        Run bad = train("--bundle", encoder.toString(), "--out", shared.resolve("badformat").toString(),
                "--format", "xml");
        assertEquals(1, bad.code(), bad.all());
        assertTrue(bad.err().contains("--format"), bad.err());
    }

    @Test
    void embeddingCacheIsReusedAndGivesTheSameHead() throws IOException {
        Path cache = shared.resolve("cache");
        Path dir = shared.resolve("cached");
        Run fresh = train("--bundle", encoder.toString(), "--out", dir.toString(), "--embedding-cache", cache.toString());
        assertEquals(0, fresh.code(), fresh.all());
        assertFalse(fresh.out().contains("using cached embeddings"), fresh.out());
        try (Stream<Path> files = Files.list(cache)) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".cls")).count());
        }
        Run cached = train("--bundle", encoder.toString(), "--out", dir.toString(), "--embedding-cache", cache.toString(),
                "--seed", "43");
        assertEquals(0, cached.code(), cached.all());
        assertTrue(cached.out().contains("using cached embeddings"), cached.out());
        Run back = train("--bundle", encoder.toString(), "--out", dir.toString(), "--embedding-cache", cache.toString());
        assertTrue(back.out().contains("using cached embeddings"), back.out());
        assertEquals(bundleJson(out).get("logits"), bundleJson(dir).get("logits"),
                "cached embeddings train exactly the head fresh ones do");
        assertEquals(bundleJson(out).get("evaluation"), bundleJson(dir).get("evaluation"));
    }

    /** The cache is keyed by the data file, but which texts are embedded also depends on --text-field. */
    @Test
    void embeddingCacheDependsOnTheTextField() throws IOException {
        ObjectMapper json = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (LabeledText e : examples) {
            String opposite = e.label().equals("spam") ? HAM_PROBE : SPAM_PROBE;
            sb.append(json.createObjectNode().put("id", e.id()).put("text", e.text()).put("other", opposite)
                    .put("label", e.label())).append('\n');
        }
        Path file = Files.writeString(shared.resolve("two-texts.jsonl"), sb.toString());
        Path cache = shared.resolve("cache-fields");
        Path dir = shared.resolve("cache-fields-out");
        assertEquals(0, train("--bundle", encoder.toString(), "--out", dir.toString(), "--data", file.toString(),
                "--embedding-cache", cache.toString()).code());
        Run other = train("--bundle", encoder.toString(), "--out", dir.toString(), "--data", file.toString(),
                "--embedding-cache", cache.toString(), "--text-field", "other", "--force");
        assertEquals(0, other.code(), other.all());
        assertFalse(other.out().contains("using cached embeddings"), "embeddings of the 'text' field reused for 'other'");
    }

    /**
     * With --model/--tokenizer, the encoder is staged into --out (bundle.json included) before the
     * data is read: a rebuild that then fails must not have destroyed the bundle that was there.
     */
    @Test
    void failedBareFormRebuildKeepsThePreviousBundle() throws IOException {
        Path dir = shared.resolve("bare-fail");
        String model = encoder.resolve("model.onnx").toString();
        String tokenizer = encoder.resolve("tokenizer.json").toString();
        assertEquals(0, train("--model", model, "--tokenizer", tokenizer, "--max-length", "24", "--out", dir.toString())
                .code());
        byte[] good = Files.readAllBytes(dir.resolve("bundle.json"));
        List<LabeledText> more = new ArrayList<>(examples);
        more.add(new LabeledText("odd", "hello world", "eggs"));
        Path bad = writeJsonl(shared.resolve("bare-fail.jsonl"), more);
        Run r = train("--model", model, "--tokenizer", tokenizer, "--max-length", "24", "--out", dir.toString(),
                "--data", bad.toString());
        assertEquals(1, r.code(), r.all());
        assertArrayEquals(good, Files.readAllBytes(dir.resolve("bundle.json")));
    }

    // ---- evaluate ----

    @Test
    void evaluatePrintsTheHeldOutMetrics() {
        Run r = cli("evaluate", "--bundle", out.toString(), "--data", data.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("== n@1"), r.out());
        assertTrue(r.out().contains("held-out split of data.jsonl"), r.out());
        assertTrue(r.out().contains("accuracy"), r.out());
        assertTrue(r.out().contains("stored accuracy"), r.out());
        Evaluation stored = HeldOutEvaluation.stored(ModelBundle.load(out));
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "accuracy %.4f (%d/40)", stored.accuracy(),
                stored.correct())), r.out());
    }

    @Test
    void evaluateThresholdsSetTheExitCode() {
        Run impossible = cli("evaluate", "--bundle", out.toString(), "--data", data.toString(), "--min-accuracy", "1.01");
        assertEquals(1, impossible.code(), impossible.all());
        assertTrue(impossible.out().contains("FAIL n@1: accuracy"), impossible.out());
        Run easy = cli("evaluate", "--bundle", out.toString(), "--data", data.toString(), "--min-accuracy", "0.5",
                "--min-f1", "spam=0.5");
        assertEquals(0, easy.code(), easy.all());
        Run f1 = cli("evaluate", "--bundle", out.toString(), "--data", data.toString(), "--min-f1", "spam=1.01");
        assertEquals(1, f1.code(), f1.all());
        assertTrue(f1.out().contains("FAIL n@1: F1 of spam"), f1.out());
    }

    @Test
    void evaluateComparesSeveralBundles() {
        Path dir = shared.resolve("compare");
        assertEquals(0, train("--bundle", encoder.toString(), "--out", dir.toString(), "--name", "other").code());
        Run r = cli("evaluate", "--bundle", out.toString(), "--bundle", dir.toString(), "--data", data.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("== n@1") && r.out().contains("== other@1"), r.out());
    }

    @Test
    void evaluateRefusesABundleNotMadeByTrainHead() {
        Path plain = shared.resolve("plain-tiny");
        TestBundles.tiny(plain);
        Run r = cli("evaluate", "--bundle", plain.toString(), "--data", data.toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("records no training split"), r.err());
    }

    // ---- known problems (see report) ----

    /** A label named twice in --labels gives a bundle.json that ModelBundle.load refuses. */
    @Test
    void duplicateLabelsAreRefusedOrLoadable() {
        Path dir = shared.resolve("dup");
        Run r = train("--bundle", encoder.toString(), "--out", dir.toString(), "--labels", "ham,ham,spam");
        if (r.code() == 0) {
            ModelBundle.load(dir);
        }
        assertNotEquals(0, r.code(), "train-head should refuse duplicate labels");
    }

    /** The field mapping decides which labels the head learns, so it must be part of the fingerprint. */
    @Test
    void changingTheLabelFieldRetrains() throws IOException {
        ObjectMapper json = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (LabeledText e : examples) {
            sb.append(json.createObjectNode().put("text", e.text()).put("label", e.label())
                    .put("flipped", e.label().equals("spam") ? "ham" : "spam")).append('\n');
        }
        Path file = Files.writeString(shared.resolve("two-labels.jsonl"), sb.toString());
        Path dir = shared.resolve("fields");
        assertEquals(0, train("--bundle", encoder.toString(), "--out", dir.toString(), "--data", file.toString()).code());
        Run flipped = train("--bundle", encoder.toString(), "--out", dir.toString(), "--data", file.toString(),
                "--label-field", "flipped");
        assertEquals(0, flipped.code(), flipped.all());
        assertFalse(flipped.out().contains("up to date"), flipped.out());
        try (InferenceEngine engine = InferenceEngine.open(ModelBundle.load(dir), EncoderOptions.defaults())) {
            assertEquals("ham", classify(engine, SPAM_PROBE), "the head must now follow the flipped labels");
        }
    }
}
