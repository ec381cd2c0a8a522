package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.serde.IncompatibleSchemaException;
import dev.clstream.serde.SchemaRegistryClient;
import dev.clstream.testing.KafkaTestCluster;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * schemas/README.md's evolution promise, checked by the real registry: a subject set to {@code BACKWARD_TRANSITIVE}
 * takes every published version of a schema (schemas/src/test/resources/schema-history), then the current one, then
 * the change the rules allow (one more optional field), and refuses a breaking one (a field without a default).
 */
@ExtendWith(SchemaRegistryServer.class)
class SchemaEvolutionIT {
    private static final Path HISTORY = ExternalTools.repoRoot().resolve("schemas/src/test/resources/schema-history");

    @ParameterizedTest
    @ValueSource(strings = {"TextEvent", "LabeledEvent", "ClsEmbedding", "DeadLetter"})
    void theRegistryTakesEveryVersionInOrderAndRefusesABreakingChange(String name) throws Exception {
        String subject = KafkaTestCluster.uniqueName("evolution-" + name) + "-value";
        setCompatibility(subject, "BACKWARD_TRANSITIVE");
        SchemaRegistryClient registry = ItSupport.registryClient();

        List<Path> published = published(name);
        assertFalse(published.isEmpty(), "no published version of " + name + " in " + HISTORY);
        for (Path version : published) {
            registry.register(subject, new Schema.Parser().parse(version.toFile()));
        }
        // The registry's own default here is NONE: the level that refuses below is the subject's.
        assertTrue(SchemaRegistryServer.get("/config/" + subject).body().contains("BACKWARD_TRANSITIVE"),
                SchemaRegistryServer.get("/config/" + subject).body());
        Schema current = current(name);
        registry.register(subject, current);
        registry.register(subject, withField(current, new Schema.Field("added_optional",
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                "Optional, as the rules want.", JsonProperties.NULL_VALUE)));

        IncompatibleSchemaException refused = assertThrows(IncompatibleSchemaException.class,
                () -> registry.register(subject, withField(current, new Schema.Field("added_required",
                        Schema.create(Schema.Type.STRING), "No default: old data cannot be read."))));
        assertTrue(refused.getMessage().contains("HTTP 409"), refused.getMessage());
    }

    private static void setCompatibility(String subject, String level) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(SchemaRegistryServer.url() + "/config/" + subject))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\": \"" + level + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "PUT /config/" + subject + ": " + r.body());
    }

    private static List<Path> published(String name) throws IOException {
        try (Stream<Path> files = Files.list(HISTORY.resolve(name))) {
            return files.filter(p -> p.getFileName().toString().matches("v\\d+\\.avsc"))
                    .sorted((a, b) -> Integer.compare(version(a), version(b))).toList();
        }
    }

    private static int version(Path p) {
        String f = p.getFileName().toString();
        return Integer.parseInt(f.substring(1, f.length() - ".avsc".length()));
    }

    /** The current schema as the schemas jar carries it. */
    private static Schema current(String name) throws IOException {
        try (InputStream in = SchemaEvolutionIT.class.getResourceAsStream("/dev/clstream/avro/" + name + ".avsc")) {
            assertTrue(in != null, "the schemas jar carries dev/clstream/avro/" + name + ".avsc");
            return new Schema.Parser().parse(in);
        }
    }

    private static Schema withField(Schema schema, Schema.Field field) {
        List<Schema.Field> fields = new ArrayList<>();
        schema.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        fields.add(field);
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }
}
