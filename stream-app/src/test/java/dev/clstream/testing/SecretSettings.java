package dev.clstream.testing;

import dev.clstream.config.ClstreamConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Settings that carry a secret, each with a value to look for wherever the app might show it: Kafka client keys
 * (plain and prefixed, including Kafka 4.x OAuth keys no pattern list anticipated), the registry's, clstream's own,
 * and user info in a URL. Every value is unique and long enough to be masked.
 */
public final class SecretSettings {
    public static final Map<String, String> TABLE = Map.ofEntries(
            Map.entry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                    + "username=\"app\" password=\"jaas-pw-7731\";"),
            Map.entry("ssl.truststore.password", "truststore-pw-7732"),
            Map.entry("ssl.keystore.password", "keystore-pw-7733"),
            Map.entry("ssl.key.password", "key-pw-7734"),
            Map.entry("ssl.keystore.key", "-----BEGIN PRIVATE KEY-----pk-7735"),
            Map.entry("producer.ssl.key.password", "producer-key-pw-7736"),
            Map.entry("sasl.oauthbearer.assertion.private.key.passphrase", "passphrase-7737"),
            Map.entry("sasl.oauthbearer.client.credentials.client.secret", "client-secret-7738"),
            Map.entry(ClstreamConfig.BASIC_AUTH_USER_INFO, "registry-user:registry-pw-7739"),
            Map.entry(ClstreamConfig.SR_TRUSTSTORE_PASSWORD, "registry-truststore-pw-7740"),
            Map.entry(ClstreamConfig.HTTP_AUTH_TOKEN, "http-token-7741"));
    /** The password of user info in a registry URL: in a URL, only the user info is secret. */
    public static final String URL_PASSWORD = "url-pw-7742";

    private SecretSettings() {}

    /** {@code url} carrying credentials: {@code http://registry-user:URL_PASSWORD@host:port/path}. */
    public static String withCredentials(String url) {
        int at = url.indexOf("://") + 3;
        return url.substring(0, at) + "registry-user:" + URL_PASSWORD + "@" + url.substring(at);
    }

    /** Every secret value: the table's (the JAAS line's password too) and the URL's password. */
    public static List<String> values() {
        List<String> out = new ArrayList<>(TABLE.values());
        out.add("jaas-pw-7731");
        out.add(URL_PASSWORD);
        return out;
    }

    /** The secret values {@code text} shows; empty when none. */
    public static List<String> shownIn(String text) {
        return values().stream().filter(text::contains).toList();
    }
}
