package dev.clstream.serde;

import dev.clstream.secrets.Secrets;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.types.Password;

/**
 * How to reach the Schema Registry: its URL(s), HTTP basic auth, the trust store for https, the
 * HTTP timeouts, and whether writers register their schemas. The keys are Confluent's serde keys,
 * so existing client configurations carry over; {@link #DEFINITION} is their one definition, used
 * both by clstream's own configuration (which includes it) and by the serdes' Kafka-style
 * {@code configure(Map)}.
 *
 * @param url one or more comma-separated {@code http(s)} base URLs, or {@code mock://<scope>}; blank when unset
 * @param credentialsSource {@code USER_INFO} or {@code URL}; blank: USER_INFO when user info is set, else URL
 * @param userInfo {@code user:password}, or null
 * @param truststoreLocation blank when unset
 * @param truststorePassword null when unset
 */
public record RegistrySettings(String url, String credentialsSource, Password userInfo, String truststoreLocation,
                               Password truststorePassword, String truststoreType, int connectTimeoutMs,
                               int readTimeoutMs, int missingIdRetryMs, boolean autoRegister) {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String CONNECT_TIMEOUT_MS = "schema.registry.connect.timeout.ms";
    public static final String READ_TIMEOUT_MS = "schema.registry.read.timeout.ms";
    public static final String MISSING_ID_RETRY_MS = "schema.registry.missing.id.retry.ms";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(SCHEMA_REGISTRY_URL, Type.STRING, "", Importance.HIGH,
                    "Schema Registry URL(s), comma separated; mock://<scope> for an in-JVM registry.")
            .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Register output schemas on first write; otherwise look them up and fail if absent.")
            .define(BASIC_AUTH_CREDENTIALS_SOURCE, Type.STRING, "", ValidString.in("", "USER_INFO", "URL"),
                    Importance.LOW, "Where Schema Registry basic-auth credentials come from.")
            .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.LOW, "user:password for Schema Registry.")
            .define(SSL_TRUSTSTORE_LOCATION, Type.STRING, "", Importance.LOW, "Trust store for an https Schema Registry.")
            .define(SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, "Its password.")
            .define(SSL_TRUSTSTORE_TYPE, Type.STRING, "JKS", ValidString.in("JKS", "PKCS12"), Importance.LOW,
                    "Its type.")
            .define(CONNECT_TIMEOUT_MS, Type.INT, 10_000, Range.between(1, Integer.MAX_VALUE), Importance.LOW,
                    "How long a connection to the Schema Registry may take to open.")
            .define(READ_TIMEOUT_MS, Type.INT, 30_000, Range.between(1, Integer.MAX_VALUE), Importance.LOW,
                    "How long a Schema Registry request may take to answer.")
            .define(MISSING_ID_RETRY_MS, Type.INT, 2_000, Range.between(0, 60_000), Importance.LOW,
                    "How long an unknown schema id is asked for again before its record is dead-lettered "
                            + "(unknown_schema_id): a registry that fails over or replicates may not know a new id yet.");

    /** The settings in {@code configs} (Strings or typed values, as Kafka's {@code configure} passes them). */
    public static RegistrySettings from(Map<String, ?> configs) {
        return from(new AbstractConfig(DEFINITION, configs, false));
    }

    /** The settings of a configuration parsed with {@link #DEFINITION} (or a definition that includes it). */
    public static RegistrySettings from(AbstractConfig parsed) {
        return new RegistrySettings(parsed.getString(SCHEMA_REGISTRY_URL), parsed.getString(BASIC_AUTH_CREDENTIALS_SOURCE),
                parsed.getPassword(BASIC_AUTH_USER_INFO), parsed.getString(SSL_TRUSTSTORE_LOCATION),
                parsed.getPassword(SSL_TRUSTSTORE_PASSWORD), parsed.getString(SSL_TRUSTSTORE_TYPE),
                parsed.getInt(CONNECT_TIMEOUT_MS), parsed.getInt(READ_TIMEOUT_MS), parsed.getInt(MISSING_ID_RETRY_MS),
                parsed.getBoolean(AUTO_REGISTER_SCHEMAS));
    }

    /** Whether a registry URL is set at all. */
    public boolean hasUrl() {
        return url != null && !url.isBlank();
    }

    @Override
    public String toString() {
        // Never the password fields (Password prints [hidden]) nor credentials in the URL.
        return "RegistrySettings[url=" + Secrets.redactUrl(url) + ", credentialsSource=" + credentialsSource
                + ", truststore=" + truststoreLocation + " (" + truststoreType + "), timeouts " + connectTimeoutMs + "/"
                + readTimeoutMs + " ms, autoRegister=" + autoRegister + "]";
    }
}
