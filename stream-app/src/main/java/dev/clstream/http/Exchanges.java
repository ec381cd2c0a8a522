package dev.clstream.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writing responses, and the checks every endpoint shares. */
final class Exchanges {
    private static final Logger LOG = LoggerFactory.getLogger(Exchanges.class);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String JSON_TYPE = "application/json";

    private Exchanges() {}

    /**
     * The handler for exactly {@code path}, GET or HEAD only. A failure inside becomes a 500 rather
     * than a connection the JDK server closes without an answer, which a probe would read as a hang.
     */
    static HttpHandler exact(String path, HttpHandler inner) {
        return byPath(path, p -> p.equals(path) ? inner : null);
    }

    /**
     * GET or HEAD of the paths {@code resolve} knows (it answers null for the others: 404), with
     * {@link #exact}'s handling of failures. {@code what} names the handler in the log.
     */
    static HttpHandler byPath(String what, Function<String, HttpHandler> resolve) {
        return exchange -> {
            try {
                String method = exchange.getRequestMethod();
                HttpHandler inner = resolve.apply(exchange.getRequestURI().getPath());
                if (inner == null) {
                    send(exchange, 404, "text/plain; charset=utf-8", "not found\n");
                } else if (!method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    send(exchange, 405, "text/plain; charset=utf-8", "only GET and HEAD\n");
                } else {
                    inner.handle(exchange);
                }
            } catch (IOException e) {
                LOG.debug("HTTP client went away during {}", what, e);
            } catch (RuntimeException e) {
                LOG.warn("HTTP {} failed", what, e);
                try {
                    send(exchange, 500, "text/plain; charset=utf-8", "internal error\n");
                } catch (IOException | RuntimeException ignored) {
                    // The response had already begun; the client sees a cut-off answer.
                }
            } finally {
                exchange.close();
            }
        };
    }

    static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length == 0 ? -1 : bytes.length);
        if (!head && bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, JSON_TYPE, JSON.writeValueAsString(body) + "\n");
    }
}
