package dev.clstream.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.ConfigException;

/**
 * A {@link SchemaRegistryClient} over {@link HttpClient}, speaking the Confluent Schema Registry
 * REST API (also served by Apicurio Registry at {@code /apis/ccompat/v7}):
 * <ul>
 *   <li>{@code POST /subjects/{subject}/versions {"schema": ...}} registers, answering {@code {"id"}};</li>
 *   <li>{@code POST /subjects/{subject} {"schema": ...}} looks up, answering {@code {"id", "version", ...}};</li>
 *   <li>{@code GET /schemas/ids/{id}} answers {@code {"schema", "schemaType"?, ...}};</li>
 *   <li>{@code GET /subjects} lists subjects.</li>
 * </ul>
 * Unknown fields in answers are ignored and a missing {@code schemaType} means Avro.
 *
 * <p>With several URLs, a request goes to the last URL that answered and moves on to the next
 * while connections fail; when none answers, {@link SchemaRegistryUnavailableException}. HTTP
 * errors are not retried elsewhere. Results are cached both ways for the client's lifetime.
 * Settings: see {@link SchemaRegistryClients}.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /** An id confirmed missing is not asked for again for this long: a stream of bad ids must not wait each time. */
    static final long MISSING_ID_MEMORY_MS = 60_000;

    private final RegistryTransport transport;
    private final Runnable onRetry;
    private final int missingIdRetryMs;
    private final ConcurrentMap<Integer, Long> missingIds = new ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper();
    private final ConcurrentMap<String, ConcurrentMap<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    /**
     * A client for the settings' URL(s), auth, trust store and timeouts.
     *
     * @throws ConfigException naming the key of a missing or invalid setting
     */
    public RestSchemaRegistryClient(RegistrySettings settings) {
        this(settings, () -> { });
    }

    /**
     * @param onRetry called before each retry of a request (a 5xx answer, no answer, an id not known
     *        yet), to count them
     */
    public RestSchemaRegistryClient(RegistrySettings settings, Runnable onRetry) {
        this.transport = new RegistryTransport(settings, onRetry);
        this.onRetry = onRetry;
        this.missingIdRetryMs = settings.missingIdRetryMs();
    }

    /** A client for a Kafka-style configuration map (see {@link RegistrySettings#from(Map)}). */
    public RestSchemaRegistryClient(Map<String, ?> config) {
        this(RegistrySettings.from(config));
    }

    /** The base URLs in use, without credentials. */
    public List<String> urls() {
        return transport.urls();
    }

    @Override
    public int register(String subject, Schema schema) {
        Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        RegistryResponse r = transport.call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        if (r.ok()) {
            int id = r.id("registering a schema under subject '" + subject + "'");
            remember(subject, schema, id);
            return id;
        }
        if (r.status() == 409) {
            throw new IncompatibleSchemaException(subject, "the Schema Registry refused schema " + AvroSchemas.name(schema)
                    + " for subject '" + subject + "' as incompatible with its earlier versions: "
                    + r.message() + " (" + r.url() + ", HTTP 409)", r.status(), r.errorCode());
        }
        throw r.failure("registering schema " + AvroSchemas.name(schema) + " under subject '" + subject + "'");
    }

    @Override
    public int lookup(String subject, Schema schema) {
        Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        RegistryResponse r = transport.call("POST", "/subjects/" + encode(subject), schemaBody(schema));
        if (r.ok()) {
            int id = r.id("looking up a schema under subject '" + subject + "'");
            remember(subject, schema, id);
            return id;
        }
        int code = r.errorCode();
        if (r.status() == 404 && code == 40401) {
            throw new SubjectNotFoundException(subject, "subject '" + subject + "' not found in the Schema Registry ("
                    + r.url() + ": " + r.message() + ")", r.status(), code);
        }
        if (r.status() == 404 && code == 40403) {
            throw new SchemaNotRegisteredException(subject, "schema " + AvroSchemas.name(schema)
                    + " is not registered under subject '" + subject + "' (" + r.url() + ": " + r.message() + ")",
                    r.status(), code);
        }
        throw r.failure("looking up schema " + AvroSchemas.name(schema) + " under subject '" + subject + "'");
    }

    /**
     * {@inheritDoc} An id the registry does not know is asked for again, with a growing pause, for
     * {@code schema.registry.missing.id.retry.ms}: a registry that fails over or replicates may not know
     * a new id yet. An id confirmed missing is then remembered as such for a minute.
     */
    @Override
    public Schema byId(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        Long missingSince = missingIds.get(id);
        if (missingSince != null && System.currentTimeMillis() - missingSince < MISSING_ID_MEMORY_MS) {
            throw new UnknownSchemaIdException(id, "schema id " + id + " not found in the Schema Registry (asked "
                    + "again for " + missingIdRetryMs + " ms less than a minute ago)");
        }
        long deadline = System.nanoTime() + missingIdRetryMs * 1_000_000L;
        for (long pause = 100; ; pause = Math.min(1_000, pause * 2)) {
            try {
                Schema schema = fetch(id);
                missingIds.remove(id);
                return schema;
            } catch (UnknownSchemaIdException e) {
                if (System.nanoTime() + pause * 1_000_000 > deadline) {
                    missingIds.put(id, System.currentTimeMillis());
                    throw e;
                }
            }
            onRetry.run();
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while asking again for schema id " + id, e);
            }
        }
    }

    private Schema fetch(int id) {
        RegistryResponse r = transport.call("GET", "/schemas/ids/" + id, null);
        if (r.ok()) {
            JsonNode n = r.json("fetching schema id " + id);
            JsonNode type = n.get("schemaType");
            if (type != null && type.isTextual() && !type.asText().isEmpty()
                    && !type.asText().equalsIgnoreCase("AVRO")) {
                throw new SchemaRegistryException("schema id " + id + " is a " + type.asText()
                        + " schema, not Avro (" + r.url() + ")", r.status(), -1);
            }
            JsonNode refs = n.get("references");
            if (refs != null && refs.isArray() && !refs.isEmpty()) {
                throw new SchemaRegistryException("schema id " + id + " uses schema references, which are not supported ("
                        + r.url() + ")", r.status(), -1);
            }
            JsonNode text = n.get("schema");
            if (text == null || !text.isTextual()) {
                throw new SchemaRegistryException("unexpected answer fetching schema id " + id + " from " + r.url()
                        + ": no \"schema\" string in " + RegistryResponse.truncate(r.body()), r.status(), -1);
            }
            Schema schema;
            try {
                schema = AvroSchemas.parse(text.asText());
            } catch (SchemaParseException e) {
                throw new SchemaRegistryException("schema id " + id + " from " + r.url() + " is not a valid Avro schema: "
                        + e.getMessage(), e);
            }
            Schema prev = schemasById.putIfAbsent(id, schema);
            return prev == null ? schema : prev;
        }
        int code = r.errorCode();
        if (r.status() == 404 && code == 40403) {
            throw new UnknownSchemaIdException(id, "schema id " + id + " not found in the Schema Registry ("
                    + r.url() + ": " + r.message() + ")");
        }
        throw r.failure("fetching schema id " + id);
    }

    @Override
    public List<String> subjects() {
        RegistryResponse r = transport.call("GET", "/subjects", null);
        if (!r.ok()) {
            throw r.failure("listing subjects");
        }
        JsonNode n = r.json("listing subjects");
        if (!n.isArray()) {
            throw new SchemaRegistryException("unexpected answer listing subjects from " + r.url() + ": "
                    + RegistryResponse.truncate(r.body()), r.status(), -1);
        }
        List<String> out = new ArrayList<>();
        n.forEach(s -> out.add(s.asText()));
        return out;
    }

    // ---- caching

    private Integer cachedId(String subject, Schema schema) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
        Map<Schema, Integer> ids = idsBySubject.get(subject);
        return ids == null ? null : ids.get(schema);
    }

    private void remember(String subject, Schema schema, int id) {
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, id);
        schemasById.putIfAbsent(id, schema);
    }

    private String schemaBody(Schema schema) {
        try {
            return json.writeValueAsString(json.createObjectNode().put("schema", schema.toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
