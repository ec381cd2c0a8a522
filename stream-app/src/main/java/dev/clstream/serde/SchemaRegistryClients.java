package dev.clstream.serde;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Makes the {@link SchemaRegistryClient} a serde configuration asks for, and reads the
 * Confluent-named serde settings.
 *
 * <ul>
 *   <li>{@value #SCHEMA_REGISTRY_URL}: {@code mock://<scope>} for the in-JVM
 *       {@link MockSchemaRegistry} of that scope, or one or more comma-separated {@code http(s)}
 *       base URLs (tried in order while connections fail) for a {@link RestSchemaRegistryClient};
 *       for Apicurio use its Confluent API, {@code http://host:port/apis/ccompat/v7}.</li>
 *   <li>{@value #BASIC_AUTH_CREDENTIALS_SOURCE} ({@code USER_INFO} or {@code URL}) and
 *       {@value #BASIC_AUTH_USER_INFO} ({@code user:password}): HTTP basic auth. When the source is
 *       not set, {@code USER_INFO} is used if user info is given, else credentials in the URL.</li>
 *   <li>{@value #SSL_TRUSTSTORE_LOCATION}, {@value #SSL_TRUSTSTORE_PASSWORD},
 *       {@value #SSL_TRUSTSTORE_TYPE} ({@code JKS} or {@code PKCS12}): trust store for https.</li>
 *   <li>{@value #HTTP_CONNECT_TIMEOUT_MS} (default 10000) and {@value #HTTP_READ_TIMEOUT_MS}
 *       (default 30000).</li>
 * </ul>
 * Values may be Strings or typed (Boolean, Integer, Kafka {@link Password}), as Kafka serdes'
 * {@code configure} receives them.
 */
public final class SchemaRegistryClients {
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String HTTP_CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String HTTP_READ_TIMEOUT_MS = "http.read.timeout.ms";

    static final String MOCK_PREFIX = "mock://";

    private SchemaRegistryClients() {}

    /**
     * The client for {@code config}'s {@value #SCHEMA_REGISTRY_URL}.
     *
     * @throws ConfigException naming the key when the URL is missing or malformed, or another
     *         registry setting is invalid
     */
    public static SchemaRegistryClient create(Map<String, ?> config) {
        String url = string(config, SCHEMA_REGISTRY_URL);
        if (url == null) {
            throw new ConfigException("Missing required configuration \"" + SCHEMA_REGISTRY_URL
                    + "\": the Schema Registry URL(s), comma separated (http://host:8081, or "
                    + "http://host:8080/apis/ccompat/v7 for Apicurio), or mock://<scope> for an in-JVM registry");
        }
        String scope = mockScope(url);
        if (scope != null) {
            return MockSchemaRegistry.scope(scope);
        }
        return new RestSchemaRegistryClient(config);
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
                throw new ConfigException(SCHEMA_REGISTRY_URL, redact(value), e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, redact(value), "no URL given");
        }
        return out;
    }

    /** {@code url} (or a comma-separated list) with any user:password@ removed, for messages. */
    static String redact(String url) {
        return url == null ? null : url.replaceAll("(?<=://)[^/@,]*@", "");
    }

    /** The value of {@code key} as a String; null when absent or blank. Passwords are revealed. */
    static String string(Map<String, ?> config, String key) {
        Object v = config == null ? null : config.get(key);
        if (v == null) {
            return null;
        }
        String s = v instanceof Password p ? p.value() : v.toString();
        return s == null || s.isBlank() ? null : s.trim();
    }

    static boolean bool(Map<String, ?> config, String key, boolean dflt) {
        Object v = config == null ? null : config.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        String s = string(config, key);
        if (s == null) {
            return dflt;
        }
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new ConfigException(key, v, "expected true or false");
    }

    static int positiveInt(Map<String, ?> config, String key, int dflt) {
        Object v = config == null ? null : config.get(key);
        if (v instanceof Number n) {
            if (n.longValue() <= 0 || n.longValue() > Integer.MAX_VALUE) {
                throw new ConfigException(key, v, "expected a positive number");
            }
            return n.intValue();
        }
        String s = string(config, key);
        if (s == null) {
            return dflt;
        }
        try {
            int i = Integer.parseInt(s);
            if (i <= 0) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "expected a positive number");
        }
    }
}
