package dev.clstream.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The app's HTTP server (the JDK's own): serves the given routes until closed. The JDK server reads
 * each request on a worker thread, so a client that sends its request slowly holds a worker: there
 * are {@value #THREADS} of them, and a request that takes longer than {@value #MAX_REQUEST_SECONDS} s
 * to arrive (or its answer to be taken) is cut off, so that probes still answer at once while slow or
 * stuck clients are connected.
 */
public final class HttpEndpoint implements AutoCloseable {
    static final int THREADS = 32;
    static final int MAX_REQUEST_SECONDS = 5;

    static {
        // Read once by the JDK server's configuration class, before the first server is made; a value set
        // on the command line wins.
        setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
        setIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(MAX_REQUEST_SECONDS));
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds and starts serving. A port that is taken or an address that is not this host's fails here,
     * naming the setting, so the app does not start without its probes.
     */
    public static HttpEndpoint start(String bindAddress, int port, List<Route> routes) {
        InetSocketAddress address = new InetSocketAddress(bindAddress, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("http.bind.address " + bindAddress + " does not resolve");
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (BindException e) {
            throw new IllegalStateException("cannot listen on " + bindAddress + ":" + port + " (http.bind.address, "
                    + "http.port): " + e.getMessage() + ". Choose another http.port, 0 for any free one, or set "
                    + "http.enabled=false", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the HTTP endpoint on " + bindAddress + ":" + port, e);
        }
        for (Route r : routes) {
            server.createContext(r.path(), r.handler());
        }
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, threads());
        server.setExecutor(executor);
        server.start();
        return new HttpEndpoint(server, executor);
    }

    /** The port actually bound: the configured one, or the one picked for {@code http.port=0}. */
    public int port() {
        return server.getAddress().getPort();
    }

    public String host() {
        return server.getAddress().getHostString();
    }

    @Override
    public void close() {
        // No grace period: whatever is in flight is a probe or a scrape, and the next one goes elsewhere.
        server.stop(0);
        executor.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory threads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "clstream-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
