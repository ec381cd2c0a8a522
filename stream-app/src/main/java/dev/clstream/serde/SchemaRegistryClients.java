package dev.clstream.serde;

import static dev.clstream.serde.RegistrySettings.SCHEMA_REGISTRY_URL;

import dev.clstream.secrets.Secrets;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Makes the {@link SchemaRegistryClient} that {@link RegistrySettings} ask for.
 *
 * <ul>
 *   <li>{@value RegistrySettings#SCHEMA_REGISTRY_URL}: {@code mock://<scope>} for the in-JVM
 *       {@link MockSchemaRegistry} of that scope, or one or more comma-separated {@code http(s)}
 *       base URLs (tried in order while connections fail) for a {@link RestSchemaRegistryClient};
 *       for Apicurio use its Confluent API, {@code http://host:port/apis/ccompat/v7}.</li>
 *   <li>{@value RegistrySettings#BASIC_AUTH_CREDENTIALS_SOURCE} ({@code USER_INFO} or {@code URL}) and
 *       {@value RegistrySettings#BASIC_AUTH_USER_INFO} ({@code user:password}): HTTP basic auth. When the source is
 *       not set, {@code USER_INFO} is used if user info is given, else credentials in the URL.</li>
 *   <li>{@value RegistrySettings#SSL_TRUSTSTORE_LOCATION}, {@value RegistrySettings#SSL_TRUSTSTORE_PASSWORD},
 *       {@value RegistrySettings#SSL_TRUSTSTORE_TYPE} ({@code JKS} or {@code PKCS12}): trust store for https.</li>
 *   <li>{@value RegistrySettings#CONNECT_TIMEOUT_MS} (default 10000) and {@value RegistrySettings#READ_TIMEOUT_MS}
 *       (default 30000).</li>
 * </ul>
 */
public final class SchemaRegistryClients {
    static final String MOCK_PREFIX = "mock://";

    private SchemaRegistryClients() {}

    /**
     * The client for {@code settings}' URL.
     *
     * @throws ConfigException naming the key when the URL is missing or malformed, or another
     *         registry setting is invalid
     */
    public static SchemaRegistryClient create(RegistrySettings settings) {
        return create(settings, () -> { });
    }

    /** The same, calling {@code onRetry} before each retry of a registry request, to count them. */
    public static SchemaRegistryClient create(RegistrySettings settings, Runnable onRetry) {
        if (!settings.hasUrl()) {
            throw new ConfigException("Missing required configuration \"" + SCHEMA_REGISTRY_URL
                    + "\": the Schema Registry URL(s), comma separated (http://host:8081, or "
                    + "http://host:8080/apis/ccompat/v7 for Apicurio), or mock://<scope> for an in-JVM registry");
        }
        String scope = mockScope(settings.url());
        if (scope != null) {
            return MockSchemaRegistry.scope(scope);
        }
        return new RestSchemaRegistryClient(settings, onRetry);
    }

    /** The client for a Kafka-style serde configuration: Strings or typed values under the keys of {@link RegistrySettings}. */
    public static SchemaRegistryClient create(Map<String, ?> configs) {
        return create(RegistrySettings.from(configs == null ? Map.of() : configs));
    }

    /** The scope of a {@code mock://<scope>} URL; null when {@code url} is not a mock URL. */
    static String mockScope(String url) {
        String trimmed = url.trim();
        boolean anyMock = false;
        for (String part : trimmed.split(",")) {
            anyMock |= part.trim().toLowerCase(Locale.ROOT).startsWith(MOCK_PREFIX);
        }
        if (!anyMock) {
            return null;
        }
        if (trimmed.contains(",")) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, url,
                    "a mock:// URL must be the only URL (mock://<scope>)");
        }
        String scope = trimmed.substring(MOCK_PREFIX.length());
        if (scope.isEmpty() || scope.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/')) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, url,
                    "a mock URL is mock://<scope>, with a non-empty scope without '/' or spaces");
        }
        return scope;
    }

    /** The http(s) base URLs of {@code value}, in order, without trailing '/'. */
    static List<URI> restUrls(String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException("Missing required configuration \"" + SCHEMA_REGISTRY_URL + "\"");
        }
        List<URI> out = new ArrayList<>();
        for (String raw : value.split(",")) {
            String part = raw.trim();
            if (part.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = new URI(part);
            } catch (URISyntaxException e) {
                throw new ConfigException(SCHEMA_REGISTRY_URL, redact(value), "'" + redact(part) + "' is not a URL: "
                        + e.getReason());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new ConfigException(SCHEMA_REGISTRY_URL, redact(value), "'" + redact(part)
                        + "' must start with http:// or https:// (or be mock://<scope>)");
            }
            if (uri.getHost() == null) {
                throw new ConfigException(SCHEMA_REGISTRY_URL, redact(value), "'" + redact(part)
                        + "' has no valid host name (host names cannot contain '_')");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new ConfigException(SCHEMA_REGISTRY_URL, redact(value), "'" + redact(part)
                        + "' must be a base URL, without '?' or '#'");
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            while (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            try {
                out.add(new URI(scheme + "://" + uri.getRawAuthority() + path));
            } catch (URISyntaxException e) {
                throw new ConfigException(SCHEMA_REGISTRY_URL, redact(value), redact(e.getMessage()));
            }
        }
        if (out.isEmpty()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, redact(value), "no URL given");
        }
        return out;
    }

    private static String redact(String text) {
        return Secrets.redactUrl(text);
    }
}
