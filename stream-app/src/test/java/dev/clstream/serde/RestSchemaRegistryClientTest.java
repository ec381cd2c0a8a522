package dev.clstream.serde;

import static dev.clstream.serde.RegistrySettings.BASIC_AUTH_CREDENTIALS_SOURCE;
import static dev.clstream.serde.RegistrySettings.BASIC_AUTH_USER_INFO;
import static dev.clstream.serde.RegistrySettings.READ_TIMEOUT_MS;
import static dev.clstream.serde.RegistrySettings.SCHEMA_REGISTRY_URL;
import static dev.clstream.serde.RegistrySettings.SSL_TRUSTSTORE_LOCATION;
import static dev.clstream.serde.RegistrySettings.SSL_TRUSTSTORE_PASSWORD;
import static dev.clstream.serde.RegistrySettings.SSL_TRUSTSTORE_TYPE;
import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.DecodeException;
import dev.clstream.testing.TlsFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestSchemaRegistryClientTest {
    private FakeRegistryServer server;

    @BeforeEach
    void start() throws IOException {
        server = new FakeRegistryServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RestSchemaRegistryClient client(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(extra);
        config.putIfAbsent(SCHEMA_REGISTRY_URL, server.url());
        return new RestSchemaRegistryClient(config);
    }

    private RestSchemaRegistryClient client() {
        return client(Map.of());
    }

    @Test
    void registersWithTheConfluentRequest() throws IOException {
        int id = client().register("clstream-labels-value", TestSchemas.V1);
        assertEquals(1, id);
        FakeRegistryServer.Request r = server.requests.get(0);
        assertEquals("POST", r.method());
        assertEquals(FakeRegistryServer.PREFIX + "/subjects/clstream-labels-value/versions", r.path());
        assertEquals(RestSchemaRegistryClient.CONTENT_TYPE, r.contentType());
        assertEquals(TestSchemas.V1.toString(), new ObjectMapper().readTree(r.body()).get("schema").asText());
        assertEquals(List.of("clstream-labels-value"), client().subjects());
    }

    @Test
    void cachesBothWays() {
        RestSchemaRegistryClient c = client();
        int id = c.register("t-value", TestSchemas.V1);
        assertEquals(1, server.count());
        assertEquals(id, c.register("t-value", TestSchemas.parse(TestSchemas.V1.toString())));
        assertEquals(id, c.lookup("t-value", TestSchemas.V1));
        assertEquals(TestSchemas.V1, c.byId(id));
        assertEquals(1, server.count(), "register, lookup and byId of a registered schema come from the cache");

        RestSchemaRegistryClient other = client();
        assertEquals(id, other.lookup("t-value", TestSchemas.V1));
        assertEquals(2, server.count());
        FakeRegistryServer.Request lookup = server.requests.get(1);
        assertEquals(FakeRegistryServer.PREFIX + "/subjects/t-value", lookup.path());

        RestSchemaRegistryClient third = client();
        assertEquals(TestSchemas.V1, third.byId(id));
        assertEquals(TestSchemas.V1, third.byId(id));
        assertEquals(id, third.register("t-value", TestSchemas.V1));
        assertEquals(4, server.count(), "byId once, then one register: an id fetched by id has no subject yet");
        assertEquals(FakeRegistryServer.PREFIX + "/schemas/ids/" + id, server.requests.get(2).path());

        int v2 = c.register("t-value", TestSchemas.V2);
        assertEquals(2, v2);
        assertEquals(List.of(1, 2), server.backend.versions("t-value"));
    }

    @Test
    void unknownIdIsAnUnknownSchemaIdException() {
        UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class, () -> client().byId(42));
        assertEquals(42, e.id());
        assertEquals(DeadLetterReason.UNKNOWN_SCHEMA_ID, e.reason());
        assertMessageNames(e, "42");
    }

    @Test
    void lookupOfAbsentSchemaOrSubject() {
        RestSchemaRegistryClient c = client();
        SubjectNotFoundException noSubject = assertThrows(SubjectNotFoundException.class,
                () -> c.lookup("t-value", TestSchemas.V1));
        assertEquals(40401, noSubject.errorCode());
        c.register("t-value", TestSchemas.V1);
        SchemaNotRegisteredException noSchema = assertThrows(SchemaNotRegisteredException.class,
                () -> c.lookup("t-value", TestSchemas.V2));
        assertEquals(40403, noSchema.errorCode());
        assertFalse(noSchema instanceof SubjectNotFoundException);
    }

    @Test
    void incompatibleSchemaCarriesTheRegistryMessage() {
        RestSchemaRegistryClient c = client();
        c.register("t-value", TestSchemas.V1);
        for (boolean apicurio : new boolean[] {false, true}) {
            server.apicurio = apicurio;
            IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class,
                    () -> c.register("t-value", TestSchemas.REQUIRED_LANG));
            assertEquals(409, e.status());
            assertEquals(apicurio ? 0 : 409, e.errorCode());
            assertMessageNames(e, "Incompatible schema");
            assertMessageNames(e, "'lang'");
            assertMessageNames(e, "'t-value'");
        }
    }

    @Test
    void otherErrorsNameUrlStatusAndBody() {
        server.forcedStatus = 500;
        server.forcedBody = "{\"error_code\":50001,\"message\":\"Error in the backend data store\"}";
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client().byId(1));
        assertEquals(500, e.status());
        assertEquals(50001, e.errorCode());
        assertMessageNames(e, server.url() + "/schemas/ids/1");
        assertMessageNames(e, "HTTP 500");
        assertMessageNames(e, "Error in the backend data store");

        // A wrong base path: a 404 that is not a registry error is not an unknown id.
        server.forcedStatus = 0;
        String wrongPath = server.url().replace(FakeRegistryServer.PREFIX, "/apis/registry/v2");
        SchemaRegistryException notFound = assertThrows(SchemaRegistryException.class,
                () -> client(Map.of(SCHEMA_REGISTRY_URL, wrongPath)).byId(1));
        assertMessageNames(notFound, "HTTP 404");
        assertMessageNames(notFound, "ccompat");

        server.forcedStatus = 200;
        server.forcedBody = "not json";
        SchemaRegistryException garbage = assertThrows(SchemaRegistryException.class,
                () -> client().register("t-value", TestSchemas.V1));
        assertMessageNames(garbage, "not json");
    }

    @Test
    void toleratesApicurioAnswersAndRejectsOtherSchemaTypes() {
        server.apicurio = true;
        int id = client().register("t-value", TestSchemas.V2);
        assertEquals(TestSchemas.V2, client().byId(id));
        assertEquals(id, client().lookup("t-value", TestSchemas.V2));

        server.forcedStatus = 200;
        server.forcedBody = "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}";
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client().byId(5));
        assertMessageNames(e, "PROTOBUF");
    }

    @Test
    void sendsBasicAuthFromUserInfo() {
        String expected = "Basic " + Base64.getEncoder().encodeToString("clstream:s3cret".getBytes(StandardCharsets.UTF_8));
        server.requiredAuthorization = expected;
        RestSchemaRegistryClient c = client(Map.of(BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
                BASIC_AUTH_USER_INFO, new Password("clstream:s3cret")));
        assertEquals(1, c.register("t-value", TestSchemas.V1));
        assertEquals(expected, server.requests.get(0).authorization());

        SchemaRegistryException denied = assertThrows(SchemaRegistryException.class, () -> client().byId(1));
        assertEquals(401, denied.status());
        assertMessageNames(denied, BASIC_AUTH_USER_INFO);
        assertEquals(null, server.requests.get(1).authorization());

        ConfigException missing = assertThrows(ConfigException.class,
                () -> client(Map.of(BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO")));
        assertMessageNames(missing, BASIC_AUTH_USER_INFO);
        assertThrows(ConfigException.class, () -> client(Map.of(BASIC_AUTH_CREDENTIALS_SOURCE, "SASL_INHERIT")));
    }

    @Test
    void sendsBasicAuthFromTheUrl() {
        String expected = "Basic " + Base64.getEncoder().encodeToString("u:p w".getBytes(StandardCharsets.UTF_8));
        server.requiredAuthorization = expected;
        String url = server.url().replace("http://", "http://u:p%20w@");
        RestSchemaRegistryClient c = client(Map.of(SCHEMA_REGISTRY_URL, url, BASIC_AUTH_CREDENTIALS_SOURCE, "URL"));
        assertEquals(List.of(server.url()), c.urls());
        assertEquals(1, c.register("t-value", TestSchemas.V1));
        assertEquals(expected, server.requests.get(0).authorization());
        // Without a source set, credentials in the URL are used too (Confluent's default).
        assertEquals(TestSchemas.V1, client(Map.of(SCHEMA_REGISTRY_URL, url)).byId(1));
    }

    @Test
    void acceptsTheSerdeConfigClstreamPassesWithItsDefaults() {
        // ClstreamConfig.serdeConfig(): unset strings are "", the trust store type defaults to JKS.
        Map<String, Object> config = new HashMap<>();
        config.put(SCHEMA_REGISTRY_URL, server.url());
        config.put(RegistrySettings.AUTO_REGISTER_SCHEMAS, true);
        config.put(BASIC_AUTH_CREDENTIALS_SOURCE, "");
        config.put(SSL_TRUSTSTORE_LOCATION, "");
        config.put(SSL_TRUSTSTORE_TYPE, "JKS");
        AvroSerializer<GenericRecord> ser = new AvroSerializer<>();
        ser.configure(config, false);
        assertEquals(1, ConfluentWireFormat.schemaId(ser.serialize("t", TestSchemas.v1("a", "b"))));
        assertEquals(null, server.requests.get(0).authorization());
    }

    @Test
    void failsOverToTheNextUrlWhenConnectionsAreRefused() throws IOException {
        String dead = "http://127.0.0.1:" + freePort() + FakeRegistryServer.PREFIX;
        RestSchemaRegistryClient c = client(Map.of(SCHEMA_REGISTRY_URL, dead + "," + server.url()));
        assertEquals(1, c.register("t-value", TestSchemas.V1));
        assertEquals(TestSchemas.V1, c.byId(1));
        assertEquals(1, c.lookup("t-value", TestSchemas.V1));
        assertEquals(List.of("t-value"), c.subjects());
        assertEquals(2, server.count());

        RestSchemaRegistryClient none = client(Map.of(SCHEMA_REGISTRY_URL, dead + "," + dead.replace("127.0.0.1",
                "localhost")));
        SchemaRegistryUnavailableException e = assertThrows(SchemaRegistryUnavailableException.class,
                () -> none.byId(1));
        assertMessageNames(e, dead);
        assertMessageNames(e, "localhost");
        assertMessageNames(e, "ConnectException");
    }

    @Test
    void readTimeoutIsUnavailable() {
        server.delayMs = 2_000;
        RestSchemaRegistryClient c = client(Map.of(READ_TIMEOUT_MS, 200));
        long t0 = System.nanoTime();
        SchemaRegistryUnavailableException e = assertThrows(SchemaRegistryUnavailableException.class,
                () -> c.byId(1));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 1_900, "gave up at the read timeout");
        assertMessageNames(e, "HttpTimeoutException");
    }

    @Test
    void serdesWorkThroughTheRestClient() {
        Map<String, Object> config = Map.of(SCHEMA_REGISTRY_URL, server.url());
        AvroSerializer<GenericRecord> ser = new AvroSerializer<>();
        ser.configure(config, false);
        AvroDeserializer<GenericRecord> de = new AvroDeserializer<>(TestSchemas.V1);
        de.configure(config, false);
        byte[] bytes = ser.serialize("clstream-input", TestSchemas.v2("e-1", "hello", "en"));
        assertEquals("hello", TestSchemas.str(de.deserialize("clstream-input", bytes), "text"));
        assertEquals(List.of("clstream-input-value"), server.backend.subjects());

        byte[] unknown = {0, 0, 0, 0, 9, 0};
        assertEquals(DeadLetterReason.UNKNOWN_SCHEMA_ID,
                assertThrows(DecodeException.class, () -> de.deserialize("clstream-input", unknown)).reason());

        // A registry that is down is not the record's fault: no DecodeException.
        server.forcedStatus = 503;
        server.forcedBody = "upstream unavailable";
        byte[] other = {0, 0, 0, 0, 7, 0};
        SerializationException down = assertThrows(SerializationException.class,
                () -> de.deserialize("clstream-input", other));
        assertFalse(down instanceof DecodeException);
        assertMessageNames(down, "503");
    }

    @Test
    void httpsWithATrustStore(@TempDir Path dir) throws Exception {
        TlsFiles tls = TlsFiles.create(dir, "trustpw");
        Path trustStore = tls.trustStore();

        try (FakeRegistryServer https = new FakeRegistryServer(tls.serverContext())) {
            RestSchemaRegistryClient c = new RestSchemaRegistryClient(Map.of(SCHEMA_REGISTRY_URL, https.url(),
                    SSL_TRUSTSTORE_LOCATION, trustStore.toString(), SSL_TRUSTSTORE_PASSWORD, "trustpw",
                    SSL_TRUSTSTORE_TYPE, "PKCS12"));
            assertEquals(1, c.register("t-value", TestSchemas.V1));

            // Without the trust store the server's certificate is not trusted.
            RestSchemaRegistryClient untrusting = new RestSchemaRegistryClient(Map.of(SCHEMA_REGISTRY_URL, https.url()));
            assertInstanceOf(SchemaRegistryUnavailableException.class,
                    assertThrows(SchemaRegistryException.class, () -> untrusting.byId(1)));
        }

        ConfigException wrongPassword = assertThrows(ConfigException.class, () -> new RestSchemaRegistryClient(Map.of(
                SCHEMA_REGISTRY_URL, "https://127.0.0.1:1", SSL_TRUSTSTORE_LOCATION, trustStore.toString(),
                SSL_TRUSTSTORE_PASSWORD, "nope", SSL_TRUSTSTORE_TYPE, "PKCS12")));
        assertMessageNames(wrongPassword, SSL_TRUSTSTORE_LOCATION);
        assertFalse(wrongPassword.getMessage().contains("nope"), wrongPassword.getMessage());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
