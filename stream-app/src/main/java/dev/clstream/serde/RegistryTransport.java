package dev.clstream.serde;

import static dev.clstream.serde.RegistrySettings.BASIC_AUTH_CREDENTIALS_SOURCE;
import static dev.clstream.serde.RegistrySettings.BASIC_AUTH_USER_INFO;
import static dev.clstream.serde.RegistrySettings.SCHEMA_REGISTRY_URL;
import static dev.clstream.serde.RegistrySettings.SSL_TRUSTSTORE_LOCATION;
import static dev.clstream.serde.RegistrySettings.SSL_TRUSTSTORE_TYPE;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
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
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * The HTTP side of {@link RestSchemaRegistryClient}: the registry's base URLs with their basic auth,
 * the trust store and timeouts, and requests that go to the last URL that answered, move on to the
 * next while connections fail, and retry 5xx answers with a short backoff.
 */
final class RegistryTransport {
    static final String CONTENT_TYPE = RestSchemaRegistryClient.CONTENT_TYPE;
    private static final String ACCEPT = CONTENT_TYPE + ", application/vnd.schemaregistry+json; q=0.9, "
            + "application/json; q=0.5";

    /** A base URL (without user info), as shown in messages, and its Authorization header. */
    private record Endpoint(String base, String authorization) {}

    private final List<Endpoint> endpoints;
    private final HttpClient http;
    private final Duration readTimeout;
    private final Runnable onRetry;
    private volatile int preferred;

    /**
     * @param onRetry called before each retry, to count them
     * @throws ConfigException naming the key of a missing or invalid setting
     */
    RegistryTransport(RegistrySettings settings, Runnable onRetry) {
        this.onRetry = onRetry;
        this.endpoints = endpoints(SchemaRegistryClients.restUrls(settings.url()), settings);
        this.readTimeout = Duration.ofMillis(settings.readTimeoutMs());
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(settings.connectTimeoutMs()))
                .followRedirects(HttpClient.Redirect.NORMAL);
        SSLContext ssl = sslContext(settings);
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.http = b.build();
    }

    /** The base URLs in use, without credentials. */
    List<String> urls() {
        return endpoints.stream().map(Endpoint::base).toList();
    }

    /** Every call here is idempotent (registering an identical schema returns its id), so 5xx answers are retried. */
    private static final long[] RETRY_BACKOFF_MS = {200, 1000};

    RegistryResponse call(String method, String path, String body) {
        for (int attempt = 0; ; attempt++) {
            boolean last = attempt == RETRY_BACKOFF_MS.length;
            try {
                RegistryResponse r = callOnce(method, path, body);
                if (r.status() < 500 || last) {
                    return r;
                }
            } catch (SchemaRegistryUnavailableException e) {
                if (last) {
                    throw e;
                }
            }
            onRetry.run();
            try {
                Thread.sleep(RETRY_BACKOFF_MS[attempt]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while retrying the Schema Registry", e);
            }
        }
    }

    private RegistryResponse callOnce(String method, String path, String body) {
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
                return new RegistryResponse(url, resp.statusCode(), resp.body() == null ? "" : resp.body());
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

    static String describe(Throwable ex) {
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

    // ---- configuration

    private static List<Endpoint> endpoints(List<URI> urls, RegistrySettings settings) {
        String source = blankToNull(settings.credentialsSource());
        String userInfo = settings.userInfo() == null ? null : blankToNull(settings.userInfo().value());
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

    private static SSLContext sslContext(RegistrySettings settings) {
        String location = blankToNull(settings.truststoreLocation());
        if (location == null) {
            return null;
        }
        String type = blankToNull(settings.truststoreType());
        type = type == null ? "JKS" : type;
        String password = settings.truststorePassword() == null ? null
                : blankToNull(settings.truststorePassword().value());
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

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
