package dev.clstream.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;

/**
 * A tiny Confluent-API registry on 127.0.0.1 for client tests, backed by a private
 * {@link MockSchemaRegistry}. It records every request, can demand basic auth, answer like
 * Apicurio's ccompat API (extra fields, no schemaType, error_code 0 on 409), be slow, or force
 * an answer.
 */
final class FakeRegistryServer implements AutoCloseable {
    static final String PREFIX = "/apis/ccompat/v7";
    private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");
    private static final Pattern SUBJECT = Pattern.compile("/subjects/([^/]+)");
    private static final Pattern BY_ID = Pattern.compile("/schemas/ids/(-?\\d+)");

    record Request(String method, String path, String authorization, String contentType, String body) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-registry");
        t.setDaemon(true);
        return t;
    });
    private final String scope = "fake-registry-" + UUID.randomUUID();
    final MockSchemaRegistry backend = MockSchemaRegistry.scope(scope);
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final ObjectMapper json = new ObjectMapper();

    volatile String requiredAuthorization;
    volatile boolean apicurio;
    volatile long delayMs;
    volatile int forcedStatus;
    volatile String forcedBody;

    FakeRegistryServer() throws IOException {
        this(null);
    }

    /** An https server when {@code ssl} is given. */
    FakeRegistryServer(SSLContext ssl) throws IOException {
        InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (ssl != null) {
            HttpsServer https = HttpsServer.create(local, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(ssl));
            server = https;
        } else {
            server = HttpServer.create(local, 0);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + PREFIX;
    }

    int count() {
        return requests.size();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = ex.getRequestURI().getRawPath();
            requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Authorization"),
                    ex.getRequestHeaders().getFirst("Content-Type"), body));
            if (delayMs > 0) {
                Thread.sleep(delayMs);
            }
            if (requiredAuthorization != null && !requiredAuthorization.equals(ex.getRequestHeaders()
                    .getFirst("Authorization"))) {
                send(ex, 401, "{\"error_code\":40101,\"message\":\"Unauthorized\"}");
                return;
            }
            if (forcedStatus != 0) {
                send(ex, forcedStatus, forcedBody);
                return;
            }
            if (!path.startsWith(PREFIX)) {
                send(ex, 404, "<html><body>Not Found</body></html>");
                return;
            }
            route(ex, ex.getRequestMethod(), path.substring(PREFIX.length()), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void route(HttpExchange ex, String method, String path, String body) throws IOException {
        Matcher m;
        try {
            if (method.equals("POST") && (m = VERSIONS.matcher(path)).matches()) {
                int id = backend.register(decode(m.group(1)), schemaOf(body));
                send(ex, 200, "{\"id\":" + id + "}");
            } else if (method.equals("POST") && (m = SUBJECT.matcher(path)).matches()) {
                String subject = decode(m.group(1));
                Schema schema = schemaOf(body);
                int id = backend.lookup(subject, schema);
                ObjectNode n = json.createObjectNode().put("subject", subject).put("id", id)
                        .put("version", backend.version(subject, schema)).put("schema", schema.toString());
                if (apicurio) {
                    n.putArray("references");
                }
                send(ex, 200, n.toString());
            } else if (method.equals("GET") && (m = BY_ID.matcher(path)).matches()) {
                Schema schema = backend.byId(Integer.parseInt(m.group(1)));
                ObjectNode n = json.createObjectNode().put("schema", schema.toString());
                if (apicurio) {
                    n.putArray("references");
                    n.put("contentId", 99);
                } else {
                    n.put("schemaType", "AVRO");
                }
                send(ex, 200, n.toString());
            } else if (method.equals("GET") && path.equals("/subjects")) {
                send(ex, 200, json.writeValueAsString(backend.subjects()));
            } else {
                send(ex, 404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
            }
        } catch (IncompatibleSchemaException e) {
            send(ex, 409, error(apicurio ? 0 : 409, "Incompatible schema: " + e.getMessage()));
        } catch (SubjectNotFoundException e) {
            send(ex, 404, error(40401, "Subject '" + e.subject() + "' not found."));
        } catch (SchemaNotRegisteredException e) {
            send(ex, 404, error(40403, "Schema not found"));
        } catch (UnknownSchemaIdException e) {
            send(ex, 404, error(40403, "Schema " + e.id() + " not found"));
        } catch (RuntimeException e) {
            send(ex, 422, error(42201, "Invalid schema: " + e.getMessage()));
        }
    }

    private Schema schemaOf(String body) throws IOException {
        JsonNode n = json.readTree(body);
        return new Schema.Parser().parse(n.get("schema").asText());
    }

    private String error(int code, String message) {
        return json.createObjectNode().put("error_code", code).put("message", message).toString();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        MockSchemaRegistry.drop(scope);
    }
}
