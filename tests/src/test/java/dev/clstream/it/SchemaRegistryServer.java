package dev.clstream.it;

import dev.clstream.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Confluent-compatible Schema Registry (Apicurio Registry 2.4.2.Final, in-memory storage, built from
 * {@code tests/schema-registry} by the module's pre-integration-test step) running as a child process of the test JVM,
 * shared by every test of the run.
 *
 * <p>{@code @ExtendWith(SchemaRegistryServer.class)} registers the JVM-wide process in JUnit's root store, which closes
 * it (SIGTERM, then SIGKILL after 10 s) when the whole run ends. It starts on first use: {@code java -Xmx256m -jar
 * schema-registry-dev-1.0-runner.jar} with {@code HTTP_PORT} set to a free loopback port and
 * {@code quarkus.http.host=127.0.0.1} (also set in the jar's application.properties), then {@code GET
 * /apis/ccompat/v7/subjects} is polled until it answers 200 (about 5 s; bounded by {@link #START_TIMEOUT}). The
 * process's output goes to {@code target/it-work/schema-registry-<port>.log}.
 *
 * <p>Clients use {@link #url()}: {@code http://127.0.0.1:PORT/apis/ccompat/v7}.
 */
public final class SchemaRegistryServer implements BeforeAllCallback {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    static final String CCOMPAT_PATH = "/apis/ccompat/v7";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SchemaRegistryServer.class);
    private static final Shared SHARED = new Shared();
    private static final ObjectMapper JSON = new ObjectMapper();

    public SchemaRegistryServer() {}

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Shared.class, k -> SHARED.managed(), Shared.class);
    }

    /** The Confluent API base URL ({@code schema.registry.url}), starting the registry on first use. */
    public static String url() {
        return "http://127.0.0.1:" + SHARED.requireManaged().port() + CCOMPAT_PATH;
    }

    /** The registry's port on 127.0.0.1. */
    public static int port() {
        return SHARED.requireManaged().port();
    }

    /** The registry process's id. */
    public static long pid() {
        return SHARED.requireManaged().pid();
    }

    /** An HTTP answer of the registry. */
    public record Answer(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("the registry's answer is not JSON: " + body, e);
            }
        }
    }

    /** {@code GET <ccompat base><path>}, e.g. {@code get("/schemas/ids/3")}. */
    public static Answer get(String path) {
        return get(URI.create(url() + path));
    }

    /** The schema registered under {@code id} ({@code GET /schemas/ids/<id>}). */
    public static org.apache.avro.Schema schemaById(int id) {
        Answer a = get("/schemas/ids/" + id);
        if (a.status() != 200) {
            throw new AssertionError("GET /schemas/ids/" + id + " answered HTTP " + a.status() + ": " + a.body());
        }
        return new org.apache.avro.Schema.Parser().parse(a.json().get("schema").asText());
    }

    /** The subjects the registry holds ({@code GET /subjects}). */
    public static List<String> subjects() {
        Answer a = get("/subjects");
        if (a.status() != 200) {
            throw new AssertionError("GET /subjects answered HTTP " + a.status() + ": " + a.body());
        }
        return JSON.convertValue(a.json(), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    private static Answer get(URI uri) {
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET()
                .header("Accept", "application/vnd.schemaregistry.v1+json").build());
        return new Answer(r.statusCode(), r.body());
    }

    /** The JVM-wide registry process. Closed by JUnit (root store) at the end of the run; idempotent. */
    @SuppressWarnings("deprecation")
    static final class Shared implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        private static final int ATTEMPTS = 3;
        private boolean managed;
        private Process process;
        private int port;
        private Thread shutdownHook;

        synchronized Shared managed() {
            managed = true;
            return this;
        }

        synchronized Shared requireManaged() {
            if (!managed) {
                throw new IllegalStateException("SchemaRegistryServer is not registered: annotate the test class with "
                        + "@ExtendWith(SchemaRegistryServer.class)");
            }
            return this;
        }

        synchronized int port() {
            started();
            return port;
        }

        synchronized long pid() {
            started();
            return process.pid();
        }

        private void started() {
            if (process != null && process.isAlive()) {
                return;
            }
            if (process != null) {
                throw new IllegalStateException("the Schema Registry process (pid " + process.pid() + ") died with exit "
                        + "code " + process.exitValue() + "; see " + logFile(port));
            }
            Path jar = runnerJar();
            IllegalStateException failure = null;
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                int p = freeLoopbackPort();
                try {
                    start(jar, p);
                    return;
                } catch (IllegalStateException e) {
                    failure = failure == null ? e : failure;
                    if (e != failure) {
                        failure.addSuppressed(e);
                    }
                    // Another process may have taken the port between probing and binding: try another one.
                    if (!logTail(p).contains("Address already in use")) {
                        break;
                    }
                }
            }
            throw failure;
        }

        private void start(Path jar, int p) {
            Path log = logFile(p);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
                    "-Dquarkus.http.host=127.0.0.1", "-jar", jar.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("HTTP_PORT", Integer.toString(p));
            long t0 = System.nanoTime();
            Process proc;
            try {
                Files.createDirectories(log.getParent());
                proc = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the Schema Registry (" + jar + "): " + e, e);
            }
            Thread hook = new Thread(proc::destroyForcibly, "schema-registry-killer");
            Runtime.getRuntime().addShutdownHook(hook);
            URI probe = URI.create("http://127.0.0.1:" + p + CCOMPAT_PATH + "/subjects");
            long deadline = t0 + START_TIMEOUT.toNanos();
            String last = "no answer yet";
            while (System.nanoTime() < deadline) {
                if (!proc.isAlive()) {
                    removeHook(hook);
                    throw new IllegalStateException("the Schema Registry exited with code " + proc.exitValue()
                            + " while starting on port " + p + "; its log (" + log + ") ends with:\n" + logTail(p));
                }
                try {
                    HttpResponse<String> r = Http.send(HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(2)).GET()
                            .build());
                    if (r.statusCode() == 200) {
                        process = proc;
                        port = p;
                        shutdownHook = hook;
                        System.out.printf("[schema-registry] pid %d ready on 127.0.0.1:%d in %d ms (log: %s)%n",
                                proc.pid(), p, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), log);
                        return;
                    }
                    last = "HTTP " + r.statusCode();
                } catch (UncheckedIOException e) {
                    last = e.getCause().toString();
                }
                sleep(200);
            }
            destroy(proc);
            removeHook(hook);
            throw new IllegalStateException("the Schema Registry did not answer 200 on " + probe + " within "
                    + START_TIMEOUT.toSeconds() + " s (last: " + last + "); its log (" + log + ") ends with:\n" + logTail(p));
        }

        @Override
        public synchronized void close() {
            Process p = process;
            process = null;
            if (p != null) {
                destroy(p);
                removeHook(shutdownHook);
                shutdownHook = null;
            }
        }

        private static void destroy(Process p) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }

        private static void removeHook(Thread hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }

        private static Path logFile(int p) {
            return ItSupport.workDir().resolve("schema-registry-" + p + ".log");
        }

        private static String logTail(int p) {
            return ItSupport.tail(logFile(p), 40);
        }

        private static Path runnerJar() {
            String configured = System.getProperty("clstream.registry.jar");
            List<Path> candidates = configured != null && !configured.isBlank() ? List.of(Path.of(configured))
                    : List.of(Path.of("schema-registry/target/schema-registry-dev-1.0-runner.jar"),
                            Path.of("tests/schema-registry/target/schema-registry-dev-1.0-runner.jar"));
            for (Path c : candidates) {
                if (Files.isRegularFile(c)) {
                    return c.toAbsolutePath();
                }
            }
            throw new IllegalStateException("the Schema Registry runner jar is not built (looked for " + candidates
                    + "): run 'mvn -f tests/pom.xml verify', which builds it in pre-integration-test, or "
                    + "tests/schema-registry/build-if-stale.sh");
        }

        private static int freeLoopbackPort() {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free loopback port", e);
            }
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
