package dev.clstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.testing.TestBundles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code clstream classify} as the README describes it, in-process on tiny bundles: one JSON object per text in input
 * order, an error object with the reason code for a text that cannot be classified (the others still answered), and
 * exit status 0 when every text was classified, 1 when one was not, 2 for a bad option.
 */
class ClassifyCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path tiny;
    static Path failing;

    @BeforeAll
    static void bundles() {
        tiny = TestBundles.tiny(dir.resolve("tiny")).directory();
        failing = TestBundles.tinyFailingOn(dir.resolve("failing"), "poison").directory();
    }

    /** What one run printed, and its exit status. */
    record Run(int status, List<JsonNode> objects, String err) {
        JsonNode get(int i) {
            return objects.get(i);
        }
    }

    private static synchronized Run classify(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ClstreamCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        InputStream stdinBefore = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        int status;
        try {
            List<String> all = new ArrayList<>(List.of("classify"));
            all.addAll(List.of(args));
            status = cli.execute(all.toArray(String[]::new));
        } finally {
            System.setIn(stdinBefore);
        }
        List<JsonNode> objects = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            if (!line.isBlank()) {
                try {
                    objects.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException("not a JSON line: " + line, e);
                }
            }
        }
        return new Run(status, objects, err.toString());
    }

    @Test
    void everyTextIsAnsweredInOrderAndExitStatusZeroWhenAllAreClassified() {
        Run r = classify("", "--bundle", tiny.toString(), "--embedding", "the cat sat", "a good movie");
        assertEquals(0, r.status(), r.err());
        assertEquals(2, r.objects().size());
        for (JsonNode o : r.objects()) {
            assertTrue(TestBundles.TINY_LABELS.contains(o.get("label").asText()), o.toString());
            assertEquals(2, o.get("probabilities").size(), o.toString());
            assertEquals("tiny@0.0.1-test", o.get("model").asText());
            assertEquals(8, o.get("embedding").size(), "--embedding adds h_0");
            assertTrue(o.get("tokens").asInt() >= 3, "tokens count [CLS] and [SEP]: " + o);
        }
    }

    @Test
    void aBundleWithSeveralHeadsPrintsEveryHeadByName() {
        Path heads = TestBundles.tinyWithHeads(dir.resolve("heads"), TestBundles.TINY_HEADS).directory();
        Run r = classify("", "--bundle", heads.toString(), "the cat sat");
        assertEquals(0, r.status(), r.err());
        JsonNode o = r.get(0);
        assertEquals(List.of("sentiment", "topic", "urgency"),
                List.copyOf(JSON.convertValue(o.get("heads"), java.util.LinkedHashMap.class).keySet()));
        assertEquals(o.get("label"), o.get("heads").get("sentiment").get("label"), "the primary at the top");
        assertEquals(3, o.get("heads").get("topic").get("probabilities").size(), o.toString());
        assertTrue(!classify("", "--bundle", tiny.toString(), "the cat sat").get(0).has("heads"),
                "one unnamed head: printed as before");
    }

    @Test
    void textsWithNothingToClassifyGetAnErrorObjectAndStatusOne() {
        Run r = classify("", "--bundle", tiny.toString(), "", "   ", "\u0001\u0002", "the cat sat");
        assertEquals(1, r.status(), r.err());
        assertEquals(List.of("empty_text", "blank_text", "no_tokens"),
                r.objects().subList(0, 3).stream().map(o -> o.get("error").asText()).toList());
        r.objects().subList(0, 3).forEach(o -> assertTrue(o.get("message").asText().length() > 5, o.toString()));
        assertTrue(r.get(3).has("label"), "the other texts are still answered: " + r.get(3));
    }

    @Test
    void jsonLinesFromStdinEchoTheirIdAndReportBadLines() {
        String stdin = String.join("\n", "{\"id\": \"a\", \"text\": \"the cat sat\"}", "{\"id\": \"b\"}", "{not json",
                "plain text line", "{\"id\": \"c\", \"text\": 42}") + "\n";
        Run r = classify(stdin, "--bundle", tiny.toString(), "--chunk", "2");
        assertEquals(1, r.status(), r.err());
        assertEquals(5, r.objects().size(), "one object per line, in order, across chunks: " + r.objects());
        assertEquals("a", r.get(0).get("id").asText());
        assertTrue(r.get(0).has("label"));
        assertEquals("b", r.get(1).get("id").asText());
        assertEquals("missing_text", r.get(1).get("error").asText());
        assertEquals("invalid_json", r.get(2).get("error").asText());
        assertTrue(r.get(3).has("label"), "a line not starting with { is text (--input auto)");
        assertEquals("invalid_json", r.get(4).get("error").asText(), "text must be a string: " + r.get(4));
    }

    @Test
    void aTextTheEncoderFailsOnAloneIsInferenceFailedAndTheOthersAreAnswered() {
        Run r = classify("", "--bundle", failing.toString(), "the cat sat", "the poison cat", "a good dog");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.get(0).has("label") && r.get(2).has("label"), r.objects().toString());
        assertEquals("inference_failed", r.get(1).get("error").asText(), r.get(1).toString());
        assertTrue(r.get(1).get("message").asText().contains("encoder run failed"), r.get(1).toString());
    }

    @Test
    void aBadOptionIsStatusTwoNamingTheAllowedValues() {
        Run r = classify("", "--bundle", tiny.toString(), "--input", "xml", "text");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--input must be one of: auto, text, jsonl"), r.err());
        Run missing = classify("", "--bundle", dir.resolve("nowhere").toString(), "text");
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("nowhere"), missing.err());
    }

    @Test
    void verifyOnABundleWithoutParitySaysSoAndClassifies() {
        Run r = classify("", "--bundle", tiny.toString(), "--verify", "the cat sat");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("bundle has no parity.json; nothing to verify"), r.err());
        assertEquals(1, r.objects().size());
    }
}
