package dev.clstream.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.clstream.testing.Http;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A Schema Registry as the app meets it, from a proxy in front of the real registry (which has neither TLS nor
 * accounts): in a failover, the proxy answers the next N requests below a path with a fault (a 404 with error code
 * 40403 while a new id replicates, a 503 while it is down), then passes everything through again; in production
 * ({@link #secure}), it serves https and demands HTTP basic auth.
 */
final class RegistryFaultProxy implements AutoCloseable {
    private final String target;
    private final HttpServer server;
    /** The {@code Authorization} header every request must carry, or null. */
    private final String requiredAuthorization;
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger faultsLeft = new AtomicInteger();
    private final AtomicInteger faultsGiven = new AtomicInteger();
    private volatile String faultPath = "";
    private volatile int faultStatus;
    private volatile String faultBody = "";

    /** @param target the registry's base URL, e.g. http://127.0.0.1:PORT/apis/ccompat/v7 */
    RegistryFaultProxy(String target) {
        this(target, null, null);
    }

    private RegistryFaultProxy(String target, SSLContext ssl, String userInfo) {
        this.target = target;
        this.requiredAuthorization = userInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try {
            if (ssl == null) {
                server = HttpServer.create(local, 0);
            } else {
                HttpsServer https = HttpsServer.create(local, 0);
                https.setHttpsConfigurator(new HttpsConfigurator(ssl));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    /** An https proxy with the certificate of {@code ssl} that answers 401 to a request without {@code userInfo}. */
    static RegistryFaultProxy secure(String target, SSLContext ssl, String userInfo) {
        return new RegistryFaultProxy(target, ssl, userInfo);
    }

    /** The base URL to give the app as {@code schema.registry.url}. */
    String url() {
        return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests answered 401 for want of the right credentials. */
    int refused() {
        return refused.get();
    }

    /** The next {@code count} requests whose path starts with {@code pathPrefix} get this answer. */
    void fail(String pathPrefix, int count, int status, String body) {
        faultPath = pathPrefix;
        faultStatus = status;
        faultBody = body;
        faultsLeft.set(count);
    }

    /** A 404 as Confluent answers for an id it does not have. */
    void unknownIds(int count) {
        fail("/schemas/ids/", count, 404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
    }

    /** A 503, as a registry answers while it is down or has no leader. */
    void unavailable(String pathPrefix, int count) {
        fail(pathPrefix, count, 503, "{\"error_code\":50301,\"message\":\"no leader\"}");
    }

    int faultsGiven() {
        return faultsGiven.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (requiredAuthorization != null
                    && !requiredAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                refused.incrementAndGet();
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"registry\"");
                send(exchange, 401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            if (path.startsWith(faultPath) && faultsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                faultsGiven.incrementAndGet();
                send(exchange, faultStatus, faultBody);
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target + path
                    + (query == null ? "" : "?" + query))).method(exchange.getRequestMethod(), body.length == 0
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            // The registry behind has no accounts: the proxy alone checks the credentials.
            for (String header : requiredAuthorization == null ? List.of("Content-Type", "Accept", "Authorization")
                    : List.of("Content-Type", "Accept")) {
                String v = exchange.getRequestHeaders().getFirst(header);
                if (v != null) {
                    forward.header(header, v);
                }
            }
            HttpResponse<String> answer = Http.send(forward.build());
            send(exchange, answer.statusCode(), answer.body());
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
