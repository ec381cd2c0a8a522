package dev.clstream.http;

import com.sun.net.httpserver.HttpHandler;

/**
 * One path the HTTP endpoint serves. The JDK server matches by longest prefix, so a route at
 * {@code /} (static pages, say) receives every path no other route claims; exact-path handlers are
 * wrapped by {@link Exchanges#exact} so that they answer 404 to anything below them.
 */
public record Route(String path, HttpHandler handler) {
    public Route {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a route path starts with '/': " + path);
        }
    }
}
