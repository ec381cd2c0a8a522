package dev.clstream.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.testing.SecretSettings;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one rule for what is secret, on a table of secret-bearing settings. */
class SecretsTest {
    static final Map<String, String> SECRET_SETTINGS = SecretSettings.TABLE;
    static final String URL_SECRET = SecretSettings.URL_PASSWORD;
    static final String URL = SecretSettings.withCredentials("https://registry.example:8081");

    @AfterEach
    void forget() {
        Secrets.forgetAll();
    }

    @Test
    void everySecretBearingKeyIsSecret() {
        SECRET_SETTINGS.keySet().forEach(k -> assertTrue(Secrets.isSecretKey(k), k));
        for (String k : List.of("my.api.token", "consumer.ssl.truststore.password", "admin.sasl.jaas.config")) {
            assertTrue(Secrets.isSecretKey(k), k);
        }
        // Whole words only, and settings about a secret that are not one: a source, an id, an endpoint URL.
        for (String k : List.of("bootstrap.servers", ClstreamConfig.SCHEMA_REGISTRY_URL, "ssl.truststore.location",
                "security.protocol", ClstreamConfig.HTTP_PORT, "sasl.mechanism", "ssl.keystore.type",
                ClstreamConfig.BATCH_MAX_TOKENS, "basic.auth.credentials.source", "sasl.oauthbearer.token.endpoint.url",
                "sasl.oauthbearer.client.credentials.client.id")) {
            assertFalse(Secrets.isSecretKey(k), k);
        }
    }

    @Test
    void everyPasswordKeyOfClstreamAndOfKafkasClientsIsSecret() {
        ClstreamConfig.configDef().configKeys().values().stream().filter(k -> k.type == ConfigDef.Type.PASSWORD)
                .forEach(k -> assertTrue(Secrets.isSecretKey(k.name), k.name));
        for (ConfigDef def : List.of(org.apache.kafka.clients.producer.ProducerConfig.configDef(),
                org.apache.kafka.clients.consumer.ConsumerConfig.configDef(),
                org.apache.kafka.clients.admin.AdminClientConfig.configDef(),
                org.apache.kafka.streams.StreamsConfig.configDef())) {
            def.configKeys().values().stream().filter(k -> k.type == ConfigDef.Type.PASSWORD)
                    .forEach(k -> assertTrue(Secrets.isSecretKey(k.name) && Secrets.isSecretKey("producer." + k.name),
                            k.name));
        }
    }

    @Test
    void shownSettingsAreRedactedByKeyAndUrlsLoseTheirUserInfo() {
        SECRET_SETTINGS.forEach((k, v) -> assertEquals(Secrets.REDACTED, Secrets.display(k, v), k));
        assertEquals("https://registry.example:8081", Secrets.display(ClstreamConfig.SCHEMA_REGISTRY_URL, URL));
        assertEquals("http://a:1,http://b:2", Secrets.redactUrl("http://u:p@a:1,http://t@b:2"));
        assertEquals("b:9092", Secrets.display("bootstrap.servers", "b:9092"));
    }

    @Test
    void rememberedValuesAreMaskedWhereverTheyTurnUp() {
        SECRET_SETTINGS.forEach(Secrets::remember);
        Secrets.remember(ClstreamConfig.SCHEMA_REGISTRY_URL, URL);
        Secrets.remember("bootstrap.servers", "broker-7743:9092");
        for (Map.Entry<String, String> e : SECRET_SETTINGS.entrySet()) {
            String masked = Secrets.mask("failed on " + e.getKey() + "=" + e.getValue() + " (see above)");
            assertFalse(masked.contains(e.getValue()), masked);
            assertTrue(masked.contains(Secrets.REDACTED), masked);
        }
        // A client quoting a JAAS line, or the URL's password alone, or the URL whole.
        assertFalse(Secrets.mask("JAAS: password=\"jaas-pw-7731\";").contains("jaas-pw-7731"));
        assertFalse(Secrets.mask("auth failed for " + URL_SECRET).contains(URL_SECRET));
        assertEquals("cannot reach https://registry.example:8081", Secrets.mask("cannot reach " + URL));
        assertEquals("broker-7743:9092 is down", Secrets.mask("broker-7743:9092 is down"), "not secret");
        // A secret that contains another is replaced whole.
        Secrets.remember("ssl.keystore.password", "truststore-pw-7732-and-more");
        assertEquals("pw " + Secrets.REDACTED, Secrets.mask("pw truststore-pw-7732-and-more"));
        // Values of settings that are not secret are never masked.
        Secrets.remember(ClstreamConfig.BATCH_MAX_TOKENS, "40960");
        assertEquals("offset 40960", Secrets.mask("offset 40960"));
        Secrets.remember("ssl.key.password", "abc");
        assertEquals("abc", Secrets.mask("abc"), "too short to mask in free text without garbling it");
    }
}
