package dev.clstream.serde;

import static dev.clstream.serde.SchemaRegistryClients.BASIC_AUTH_CREDENTIALS_SOURCE;
import static dev.clstream.serde.SchemaRegistryClients.BASIC_AUTH_USER_INFO;
import static dev.clstream.serde.SchemaRegistryClients.HTTP_CONNECT_TIMEOUT_MS;
import static dev.clstream.serde.SchemaRegistryClients.HTTP_READ_TIMEOUT_MS;
import static dev.clstream.serde.SchemaRegistryClients.SCHEMA_REGISTRY_URL;
import static dev.clstream.serde.SchemaRegistryClients.SSL_TRUSTSTORE_LOCATION;
import static dev.clstream.serde.SchemaRegistryClients.SSL_TRUSTSTORE_PASSWORD;
import static dev.clstream.serde.SchemaRegistryClients.SSL_TRUSTSTORE_TYPE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
    private static final String ACCEPT = CONTENT_TYPE + ", application/vnd.schemaregistry+json; q=0.9, "
            + "application/json; q=0.5";
    private static final int DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
    private static final int DEFAULT_READ_TIMEOUT_MS = 30_000;
    private static final int MAX_BODY_IN_MESSAGE = 1000;

    /** A base URL (without user info), as shown in messages, and its Authorization header. */
    private record Endpoint(String base, String authorization) {}

    private record Response(String url, int status, String body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    private final List<Endpoint> endpoints;
    private final HttpClient http;
    private final Duration readTimeout;
    private final ObjectMapper json = new ObjectMapper();
    private final ConcurrentMap<String, ConcurrentMap<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private volatile int preferred;

    /**
     * A client for {@code config}'s {@value SchemaRegistryClients#SCHEMA_REGISTRY_URL} and its
     * auth, trust store and timeout settings.
     *
     * @throws ConfigException naming the key of a missing or invalid setting
     */
    public RestSchemaRegistryClient(Map<String, ?> config) {
        List<URI> urls = SchemaRegistryClients.restUrls(SchemaRegistryClients.string(config, SCHEMA_REGISTRY_URL));
        this.endpoints = endpoints(urls, config);
        int connectMs = SchemaRegistryClients.positiveInt(config, HTTP_CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS);
        int readMs = SchemaRegistryClients.positiveInt(config, HTTP_READ_TIMEOUT_MS, DEFAULT_READ_TIMEOUT_MS);
        this.readTimeout = Duration.ofMillis(readMs);
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(connectMs))
                .followRedirects(HttpClient.Redirect.NORMAL);
        SSLContext ssl = sslContext(config);
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.http = b.build();
    }

    /** The base URLs in use, without credentials. */
    public List<String> urls() {
        return endpoints.stream().map(Endpoint::base).toList();
    }

    @Override
    public int register(String subject, Schema schema) {
        Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        Response r = call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        if (r.ok()) {
            int id = id(r, "registering a schema under subject '" + subject + "'");
            remember(subject, schema, id);
            return id;
        }
        if (r.status() == 409) {
            throw new IncompatibleSchemaException(subject, "the Schema Registry refused schema " + AvroSchemas.name(schema)
                    + " for subject '" + subject + "' as incompatible with its earlier versions: "
                    + registryMessage(r) + " (" + r.url() + ", HTTP 409)", r.status(), errorCode(r));
        }
        throw failure("registering schema " + AvroSchemas.name(schema) + " under subject '" + subject + "'", r);
    }

    @Override
    public int lookup(String subject, Schema schema) {
        Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        Response r = call("POST", "/subjects/" + encode(subject), schemaBody(schema));
        if (r.ok()) {
            int id = id(r, "looking up a schema under subject '" + subject + "'");
            remember(subject, schema, id);
            return id;
        }
        int code = errorCode(r);
        if (r.status() == 404 && code == 40401) {
            throw new SubjectNotFoundException(subject, "subject '" + subject + "' not found in the Schema Registry ("
                    + r.url() + ": " + registryMessage(r) + ")", r.status(), code);
        }
        if (r.status() == 404 && code == 40403) {
            throw new SchemaNotRegisteredException(subject, "schema " + AvroSchemas.name(schema)
                    + " is not registered under subject '" + subject + "' (" + r.url() + ": " + registryMessage(r) + ")",
                    r.status(), code);
        }
        throw failure("looking up schema " + AvroSchemas.name(schema) + " under subject '" + subject + "'", r);
    }

    @Override
    public Schema byId(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        Response r = call("GET", "/schemas/ids/" + id, null);
        if (r.ok()) {
            JsonNode n = parse(r, "fetching schema id " + id);
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
                        + ": no \"schema\" string in " + truncate(r.body()), r.status(), -1);
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
        int code = errorCode(r);
        if (r.status() == 404 && code == 40403) {
            throw new UnknownSchemaIdException(id, "schema id " + id + " not found in the Schema Registry ("
                    + r.url() + ": " + registryMessage(r) + ")");
        }
        throw failure("fetching schema id " + id, r);
    }

    @Override
    public List<String> subjects() {
        Response r = call("GET", "/subjects", null);
        if (!r.ok()) {
            throw failure("listing subjects", r);
        }
        JsonNode n = parse(r, "listing subjects");
        if (!n.isArray()) {
            throw new SchemaRegistryException("unexpected answer listing subjects from " + r.url() + ": "
                    + truncate(r.body()), r.status(), -1);
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

    // ---- HTTP

    /** Every call here is idempotent (registering an identical schema returns its id), so 5xx answers are retried. */
    private static final long[] RETRY_BACKOFF_MS = {200, 1000};

    private Response call(String method, String path, String body) {
        for (int attempt = 0; ; attempt++) {
            boolean last = attempt == RETRY_BACKOFF_MS.length;
            try {
                Response r = callOnce(method, path, body);
                if (r.status() < 500 || last) {
                    return r;
                }
            } catch (SchemaRegistryUnavailableException e) {
                if (last) {
                    throw e;
                }
            }
            try {
                Thread.sleep(RETRY_BACKOFF_MS[attempt]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while retrying the Schema Registry", e);
            }
        }
    }

    private Response callOnce(String method, String path, String body) {
        int n = endpoints.size();
        int start = preferred;
        StringBuilder tried = new StringBuilder();
        IOException last = null;
        for (int k = 0; k < n; k++) {
            int idx = (start + k) % n;
            Endpoint e = endpoints.get(idx);
            String url = e.base() + path;
            HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url))
                    .timeout(readTimeout)
                    .header("Accept", ACCEPT);
            if (e.authorization() != null) {
                rb.header("Authorization", e.authorization());
            }
            if (body != null) {
                rb.header("Content-Type", CONTENT_TYPE)
                        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            } else {
                rb.method(method, HttpRequest.BodyPublishers.noBody());
            }
            try {
                HttpResponse<String> resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                preferred = idx;
                return new Response(url, resp.statusCode(), resp.body() == null ? "" : resp.body());
            } catch (IOException ex) {
                last = ex;
                tried.append(tried.length() == 0 ? "" : "; ").append(url).append(": ").append(describe(ex));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while calling the Schema Registry at " + url, ex);
            }
        }
        throw new SchemaRegistryUnavailableException("no Schema Registry URL answered (" + SCHEMA_REGISTRY_URL + "): "
                + tried, last);
    }

    private static String describe(Throwable ex) {
        StringBuilder sb = new StringBuilder(ex.getClass().getSimpleName());
        String msg = ex.getMessage();
        if (msg == null && ex.getCause() != null) {
            msg = ex.getCause().toString();
        }
        if (msg != null && !msg.isBlank()) {
            sb.append(" ").append(msg);
        }
        return sb.toString();
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

    private JsonNode parse(Response r, String action) {
        try {
            JsonNode n = json.readTree(r.body());
            if (n == null || n.isMissingNode()) {
                throw new SchemaRegistryException("unexpected empty answer " + action + " from " + r.url()
                        + " (HTTP " + r.status() + ")", r.status(), -1);
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException("unexpected answer " + action + " from " + r.url() + " (HTTP "
                    + r.status() + "), not JSON: " + truncate(r.body()), r.status(), -1);
        }
    }

    private int id(Response r, String action) {
        JsonNode id = parse(r, action).get("id");
        if (id == null || !id.canConvertToInt() || !id.isIntegralNumber()) {
            throw new SchemaRegistryException("unexpected answer " + action + " from " + r.url() + ": no integer \"id\" in "
                    + truncate(r.body()), r.status(), -1);
        }
        return id.intValue();
    }

    /** The Confluent error_code of an error answer; -1 when the body is not a registry error. */
    private int errorCode(Response r) {
        try {
            JsonNode n = json.readTree(r.body());
            JsonNode code = n == null ? null : n.get("error_code");
            return code != null && code.canConvertToInt() ? code.intValue() : -1;
        } catch (JsonProcessingException e) {
            return -1;
        }
    }

    /** The registry's "message", or else the body. */
    private String registryMessage(Response r) {
        try {
            JsonNode n = json.readTree(r.body());
            JsonNode m = n == null ? null : n.get("message");
            if (m != null && m.isTextual() && !m.asText().isBlank()) {
                return truncate(m.asText());
            }
        } catch (JsonProcessingException e) {
            // fall through: not JSON
        }
        return truncate(r.body());
    }

    private SchemaRegistryException failure(String action, Response r) {
        int code = errorCode(r);
        String hint = "";
        if (r.status() == 401 || r.status() == 403) {
            hint = " (check " + BASIC_AUTH_CREDENTIALS_SOURCE + " and " + BASIC_AUTH_USER_INFO + ")";
        } else if (r.status() == 404 && code < 0) {
            hint = " (is " + SCHEMA_REGISTRY_URL + " the registry's base URL? Apicurio's Confluent API is at "
                    + "http://host:port/apis/ccompat/v7)";
        }
        return new SchemaRegistryException(action + " failed: " + r.url() + " answered HTTP " + r.status()
                + (code >= 0 ? " (error_code " + code + ")" : "") + ": " + truncate(r.body()) + hint, r.status(), code);
    }

    private static String truncate(String s) {
        if (s == null || s.isEmpty()) {
            return "(empty body)";
        }
        String one = s.strip();
        return one.length() <= MAX_BODY_IN_MESSAGE ? one : one.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }

    // ---- configuration

    private static List<Endpoint> endpoints(List<URI> urls, Map<String, ?> config) {
        String source = SchemaRegistryClients.string(config, BASIC_AUTH_CREDENTIALS_SOURCE);
        String userInfo = SchemaRegistryClients.string(config, BASIC_AUTH_USER_INFO);
        if (source == null) {
            source = userInfo != null ? "USER_INFO" : "URL";
        }
        source = source.toUpperCase(Locale.ROOT);
        String shared = null;
        if (source.equals("USER_INFO")) {
            if (userInfo == null) {
                throw new ConfigException(BASIC_AUTH_USER_INFO + " (user:password) is required when "
                        + BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO");
            }
            if (!userInfo.contains(":")) {
                throw new ConfigException(BASIC_AUTH_USER_INFO + " must be user:password");
            }
            shared = basic(userInfo);
        } else if (!source.equals("URL")) {
            throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE, source, "allowed values: USER_INFO, URL");
        }
        List<Endpoint> out = new ArrayList<>();
        for (URI u : urls) {
            String authority = u.getRawAuthority();
            String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
            String base = u.getScheme() + "://" + hostPort + (u.getRawPath() == null ? "" : u.getRawPath());
            String auth = shared;
            if (source.equals("URL") && u.getUserInfo() != null && !u.getUserInfo().isEmpty()) {
                auth = basic(u.getUserInfo());
            }
            out.add(new Endpoint(base, auth));
        }
        return List.copyOf(out);
    }

    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static SSLContext sslContext(Map<String, ?> config) {
        String location = SchemaRegistryClients.string(config, SSL_TRUSTSTORE_LOCATION);
        if (location == null) {
            return null;
        }
        String type = SchemaRegistryClients.string(config, SSL_TRUSTSTORE_TYPE);
        type = type == null ? "JKS" : type;
        String password = SchemaRegistryClients.string(config, SSL_TRUSTSTORE_PASSWORD);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(in, password == null ? null : password.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new ConfigException("cannot load the trust store " + SSL_TRUSTSTORE_LOCATION + "='" + location
                    + "' (" + SSL_TRUSTSTORE_TYPE + "=" + type + "): " + describe(e));
        }
    }
}
