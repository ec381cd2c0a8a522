package dev.clstream.http;

import com.sun.net.httpserver.HttpHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * {@code http.auth.token}: every route but the probes and the scrape ({@link #OPEN}) answers only a
 * request that carries the token, as {@code Authorization: Bearer TOKEN} (curl, a proxy) or as the
 * password of HTTP basic auth with any user name (what a browser asks for on the live page, and then
 * sends with the page's own requests). Anything else gets 401 and both challenges, without a word
 * about what was sent.
 */
public final class TokenAuth {
    /** Open without the token: Kubernetes probes and Prometheus carry none, and they show no event data. */
    public static final Set<String> OPEN = Set.of(OpsRoutes.METRICS, OpsRoutes.LIVE, OpsRoutes.READY);

    private TokenAuth() {}

    /** {@code routes}, every one outside {@link #OPEN} guarded by {@code token}; unchanged when it is null. */
    public static List<Route> guard(List<Route> routes, String token) {
        if (token == null) {
            return routes;
        }
        if (token.isBlank()) {
            throw new IllegalArgumentException("http.auth.token is blank: set a token, or leave it unset for none");
        }
        byte[] expected = token.getBytes(StandardCharsets.UTF_8);
        return routes.stream().map(r -> OPEN.contains(r.path()) ? r : new Route(r.path(), guard(r.handler(), expected)))
                .toList();
    }

    private static HttpHandler guard(HttpHandler inner, byte[] expected) {
        return exchange -> {
            if (carries(exchange.getRequestHeaders().getFirst("Authorization"), expected)) {
                inner.handle(exchange);
                return;
            }
            exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"clstream\"");
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"clstream\", charset=\"UTF-8\"");
            Exchanges.send(exchange, 401, "text/plain; charset=utf-8",
                    "401: this endpoint needs http.auth.token (Authorization: Bearer TOKEN)\n");
        };
    }

    /** Whether the header carries the token; compared in constant time, so timing tells nothing about it. */
    static boolean carries(String authorization, byte[] expected) {
        if (authorization == null) {
            return false;
        }
        byte[] given;
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        } else if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
            int colon = decoded.indexOf(':');
            given = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        } else {
            return false;
        }
        return MessageDigest.isEqual(given, expected);
    }
}
