package dev.clstream.serde;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MockSchemaRegistryTest {
    private final List<String> scopes = new ArrayList<>();

    private String newScope() {
        String s = "mock-test-" + UUID.randomUUID();
        scopes.add(s);
        return s;
    }

    @AfterEach
    void dropScopes() {
        scopes.forEach(MockSchemaRegistry::drop);
    }

    private static SchemaRegistryClient client(String url) {
        return SchemaRegistryClients.create(Map.of(RegistrySettings.SCHEMA_REGISTRY_URL, url));
    }

    @Test
    void clientsOfOneScopeShareOneRegistryAndScopesAreSeparate() {
        String a = newScope();
        String b = newScope();
        SchemaRegistryClient a1 = client("mock://" + a);
        SchemaRegistryClient a2 = client(" mock://" + a + " ");
        SchemaRegistryClient b1 = client(MockSchemaRegistry.url(b));
        assertSame(a1, a2);
        assertNotSame(a1, b1);

        int id = a1.register("t-value", TestSchemas.V1);
        assertEquals(id, a2.lookup("t-value", TestSchemas.V1));
        assertEquals(TestSchemas.V1, a2.byId(id));
        assertThrows(SubjectNotFoundException.class, () -> b1.lookup("t-value", TestSchemas.V1));
        assertThrows(UnknownSchemaIdException.class, () -> b1.byId(id));

        MockSchemaRegistry.drop(a);
        SchemaRegistryClient fresh = client("mock://" + a);
        assertNotSame(a1, fresh);
        assertEquals(List.of(), fresh.subjects());
        assertEquals(1, fresh.register("other-value", TestSchemas.V2), "ids start again from 1");
    }

    @Test
    void idsAndVersionsFollowConfluent() {
        MockSchemaRegistry r = MockSchemaRegistry.scope(newScope());
        assertEquals(1, r.register("t-value", TestSchemas.V1));
        assertEquals(1, r.register("t-value", TestSchemas.parse(TestSchemas.V1.toString())), "identical schema");
        assertEquals(List.of(1), r.versions("t-value"));

        assertEquals(2, r.register("t-value", TestSchemas.V2), "a different schema gets a new id");
        assertEquals(List.of(1, 2), r.versions("t-value"));
        assertEquals(2, r.version("t-value", TestSchemas.V2));

        // The same schema under another subject keeps its global id, as version 1 there.
        assertEquals(2, r.register("u-value", TestSchemas.V2));
        assertEquals(1, r.version("u-value", TestSchemas.V2));
        assertEquals(List.of("t-value", "u-value"), r.subjects());
        assertEquals(TestSchemas.V2, r.byId(2));
    }

    @Test
    void lookupAndByIdFailuresAreSpecific() {
        MockSchemaRegistry r = MockSchemaRegistry.scope(newScope());
        SubjectNotFoundException noSubject = assertThrows(SubjectNotFoundException.class,
                () -> r.lookup("t-value", TestSchemas.V1));
        assertEquals(40401, noSubject.errorCode());
        r.register("t-value", TestSchemas.V1);
        SchemaNotRegisteredException noSchema = assertThrows(SchemaNotRegisteredException.class,
                () -> r.lookup("t-value", TestSchemas.V2));
        assertFalse(noSchema instanceof SubjectNotFoundException);
        assertEquals(40403, noSchema.errorCode());
        assertEquals("t-value", noSchema.subject());
        UnknownSchemaIdException unknown = assertThrows(UnknownSchemaIdException.class, () -> r.byId(7));
        assertEquals(7, unknown.id());
        assertEquals("unknown_schema_id", unknown.reason().code());
        assertMessageNames(unknown, "7");
    }

    @Test
    void newVersionsMustBeBackwardCompatibleUnlessRelaxed() {
        MockSchemaRegistry r = MockSchemaRegistry.scope(newScope());
        r.register("t-value", TestSchemas.V1);
        IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class,
                () -> r.register("t-value", TestSchemas.REQUIRED_LANG));
        assertMessageNames(e, "'lang'");
        assertEquals(409, e.status());
        assertEquals(List.of(1), r.versions("t-value"));

        r.compatibility(MockSchemaRegistry.Compatibility.NONE);
        assertEquals(2, r.register("t-value", TestSchemas.REQUIRED_LANG));
    }

    @Test
    void concurrentRegistrationsOfOneSchemaGetOneId() throws Exception {
        MockSchemaRegistry r = MockSchemaRegistry.scope(newScope());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                tasks.add(() -> r.register("t-value", TestSchemas.parse(TestSchemas.V2.toString())));
            }
            Set<Integer> ids = new HashSet<>();
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                ids.add(f.get());
            }
            assertEquals(Set.of(1), ids);
            assertEquals(List.of(1), r.versions("t-value"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void factoryFailsFastNamingTheUrlKey() {
        for (Map<String, ?> bad : List.of(Map.<String, Object>of(), Map.of("schema.registry.url", "  "))) {
            ConfigException e = assertThrows(ConfigException.class, () -> SchemaRegistryClients.create(bad));
            assertMessageNames(e, "schema.registry.url");
        }
        for (String url : List.of("localhost:8081", "ftp://registry:21", "http://", "http://bad host:8081",
                "http://schema_registry:8081", "http://r:8081/?x=1", "mock://", "mock://a/b", "mock://a,http://b:1", ",")) {
            ConfigException e = assertThrows(ConfigException.class, () -> client(url), url);
            assertMessageNames(e, "schema.registry.url");
        }
        ConfigException secret = assertThrows(ConfigException.class, () -> client("ftp://user:s3cret@r:1"));
        assertFalse(secret.getMessage().contains("s3cret"), secret.getMessage());
    }

    @Test
    void factoryBuildsRestClientsForHttpUrls() {
        SchemaRegistryClient c = client("http://user:pw@r1:8081/, https://r2:8443/apis/ccompat/v7/");
        RestSchemaRegistryClient rest = assertInstanceOf(RestSchemaRegistryClient.class, c);
        assertEquals(List.of("http://r1:8081", "https://r2:8443/apis/ccompat/v7"), rest.urls());
    }
}
