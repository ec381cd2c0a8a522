package dev.clstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.event.DecodeException;
import dev.clstream.event.InputEvent;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.testing.TestBundles;
import dev.clstream.testing.TopologyFixture;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * One table of JSON text events, fed to the three places that read them: the app's decoder (through
 * the real topology), {@code clstream produce} and {@code clstream classify}. Each accepts the same
 * documents with the same id, or refuses them with the same reason code.
 */
class JsonEventDocumentsTest {
    @TempDir
    static Path dir;
    static InferenceEngine engine;
    static Path bundle;
    static final ObjectMapper JSON = new ObjectMapper();
    static final long T = 1_700_000_000_000L;

    /**
     * A document, and what every reader must make of it: the id (null: none given), the event time and
     * attributes (checked where the reader keeps them), or the reason it is refused.
     */
    record Doc(String json, String id, Long eventTime, Map<String, String> attributes, String refused) {
        static Doc ok(String json, String id, Long eventTime, Map<String, String> attributes) {
            return new Doc(json, id, eventTime, attributes, null);
        }

        static Doc refused(String json, String reason) {
            return new Doc(json, null, null, null, reason);
        }

        @Override
        public String toString() {
            return json;
        }
    }

    static List<Doc> documents() {
        return List.of(
                Doc.ok("{\"id\":\"a1\",\"text\":\"the cat sat\",\"event_time\":" + T + "}", "a1", T, Map.of()),
                Doc.ok("{\"id\":\"a2\",\"text\":\"the cat sat\",\"event_time\":\"2023-11-14T22:13:20Z\"}", "a2", T,
                        Map.of()),
                Doc.ok("{\"text\":\"no id here\",\"event_time\":" + T + "}", null, T, Map.of()),
                Doc.ok("{\"id\":7,\"text\":\"numeric id\",\"event_time\":" + T
                        + ",\"attributes\":{\"lang\":\"en\",\"n\":3}}", "7", T, Map.of("lang", "en", "n", "3")),
                Doc.ok("{\"id\":\"a5\",\"text\":\"null time\",\"event_time\":null,\"attributes\":null}", "a5", null,
                        Map.of()),
                Doc.refused("{\"id\":\"b1\",\"text\":\"t\",\"event_time\":\"yesterday\"}", "invalid_json"),
                Doc.refused("{\"id\":\"b2\",\"text\":\"t\",\"event_time\":1.5}", "invalid_json"),
                Doc.refused("{\"id\":\"b3\",\"text\":42}", "invalid_json"),
                Doc.refused("{\"id\":\"b4\",\"text\":\"t\",\"attributes\":[1]}", "invalid_json"),
                Doc.refused("{\"id\":{\"x\":1},\"text\":\"t\"}", "invalid_json"),
                Doc.refused("{not json", "invalid_json"),
                Doc.refused("{\"id\":\"b5\"}", "missing_text"));
    }

    @BeforeAll
    static void open() {
        engine = TopologyFixture.tinyEngine(dir, 1);
        bundle = TestBundles.tiny(dir.resolve("classify")).directory();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @ParameterizedTest
    @MethodSource("documents")
    void theDecoderReadsIt(Doc doc) throws IOException {
        try (TopologyFixture f = TopologyFixture.over(engine).set(ClstreamConfig.BATCH_MAX_SIZE, "1").build()) {
            f.send("k", doc.json());
            if (doc.refused() != null) {
                assertEquals(doc.refused(), JSON.readTree(f.deadLetters().readValue()).get("reason").asText());
                return;
            }
            JsonNode label = JSON.readTree(f.labels().readValue());
            // Without an id the app names the event by its key.
            assertEquals(doc.id() == null ? "k" : doc.id(), label.get("id").asText());
            assertEquals(doc.eventTime(), label.get("event_time").isNull() ? null : label.get("event_time").asLong());
        }
    }

    @ParameterizedTest
    @MethodSource("documents")
    void produceReadsIt(Doc doc) {
        if (doc.refused() != null) {
            assertEquals(doc.refused(), assertRefused(() -> ProduceCommand.parse(doc.json(), 3)));
            return;
        }
        InputEvent e = ProduceCommand.parse(doc.json(), 3);
        // Without an id produce names the event by its line, without a time it stamps it now.
        assertEquals(doc.id() == null ? "line-3" : doc.id(), e.id());
        if (doc.eventTime() != null) {
            assertEquals(doc.eventTime(), e.eventTime());
        }
        assertEquals(doc.attributes(), e.attributes());
    }

    @ParameterizedTest
    @MethodSource("documents")
    void classifyReadsIt(Doc doc) throws IOException {
        JsonNode answer = JSON.readTree(classify(doc.json()));
        if (doc.refused() != null) {
            assertEquals(doc.refused(), answer.path("error").asText(), answer.toString());
            return;
        }
        assertNull(answer.get("error"), answer.toString());
        assertEquals(doc.id(), answer.has("id") ? answer.get("id").asText() : null);
    }

    private static String classify(String line) {
        InputStream stdin = System.in;
        StringWriter out = new StringWriter();
        try {
            System.setIn(new ByteArrayInputStream((line + "\n").getBytes(StandardCharsets.UTF_8)));
            CommandLine cl = ClstreamCli.commandLine();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(new StringWriter()));
            cl.execute("classify", "--bundle", bundle.toString(), "--concurrency", "1");
        } finally {
            System.setIn(stdin);
        }
        return out.toString().strip();
    }

    private static String assertRefused(Runnable read) {
        try {
            read.run();
        } catch (DecodeException e) {
            return e.reason().code();
        }
        throw new AssertionError("the document was accepted");
    }
}
