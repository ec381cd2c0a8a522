package dev.clstream.http;

import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The live page's files, served from the classpath ({@code dev/clstream/http/static/}) as they
 * are: there is no build step. Only the files named here are served, read once at start-up, so no
 * request path can reach anything else on the classpath, and a missing file fails the start, not
 * the first visit.
 */
final class StaticFiles {
    static final String ROOT = "static/";
    /** Request path to file name and content type. */
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/live.js", new String[] {"live.js", "text/javascript; charset=utf-8"},
            "/live.css", new String[] {"live.css", "text/css; charset=utf-8"},
            "/uPlot.iife.min.js", new String[] {"uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/uPlot.min.css", new String[] {"uPlot.min.css", "text/css; charset=utf-8"},
            "/uPlot.LICENSE", new String[] {"uPlot.LICENSE", "text/plain; charset=utf-8"});
    /**
     * Scripts and styles from this origin only, and no framing: the page shows event texts, so a
     * script slipped into one must not run, and nothing else needs to load. uPlot sizes its canvas
     * through element styles, hence the inline styles.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; connect-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

    private record File(byte[] bytes, String contentType) {}

    private StaticFiles() {}

    /** The handler for every path no other route claims: one of the files, or 404. */
    static HttpHandler handler() {
        Map<String, File> files = new LinkedHashMap<>();
        FILES.forEach((path, f) -> files.put(path, new File(read(f[0]), f[1])));
        return Exchanges.byPath("the live page", path -> {
            File f = files.get(path);
            return f == null ? null : exchange -> {
                exchange.getResponseHeaders().set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
                exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
                Exchanges.send(exchange, 200, f.contentType(), f.bytes());
            };
        });
    }

    private static byte[] read(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("the live page's file " + ROOT + name + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the live page's file " + name, e);
        }
    }
}
