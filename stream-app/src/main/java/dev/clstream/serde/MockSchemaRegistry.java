package dev.clstream.serde;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * An in-JVM Schema Registry for {@code schema.registry.url=mock://<scope>}: every client of the
 * same scope shares one registry (a static map; {@link #drop(String)} forgets a scope).
 *
 * <p>Semantics follow Confluent's registry: ids are global within the scope and assigned from 1;
 * the same schema (same canonical JSON) gets the same id in every subject; each subject numbers
 * its versions from 1; registering a schema already in the subject returns its id without a new
 * version; a new version must be compatible with the subject's latest version under
 * {@link #compatibility(Compatibility)} ({@code BACKWARD} by default, as in Confluent).
 */
public final class MockSchemaRegistry implements SchemaRegistryClient {

    /** Compatibility rule for new versions, checked against the subject's latest version. */
    public enum Compatibility { NONE, BACKWARD, FORWARD, FULL }

    private static final ConcurrentMap<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final String scope;
    private final Map<String, List<Integer>> versions = new LinkedHashMap<>();
    private final Map<String, Integer> idsByCanonical = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final AtomicInteger calls = new AtomicInteger();
    private Compatibility compatibility = Compatibility.BACKWARD;
    private int nextId = 1;

    private MockSchemaRegistry(String scope) {
        this.scope = scope;
    }

    /** The registry of {@code scope}, created empty on first use. */
    public static MockSchemaRegistry scope(String scope) {
        if (scope == null || scope.isEmpty()) {
            throw new IllegalArgumentException("a mock registry scope must not be empty");
        }
        return SCOPES.computeIfAbsent(scope, MockSchemaRegistry::new);
    }

    /** Forgets the registry of {@code scope}; its next use starts empty. */
    public static void drop(String scope) {
        SCOPES.remove(scope);
    }

    /** The {@code schema.registry.url} that selects {@code scope}. */
    public static String url(String scope) {
        return SchemaRegistryClients.MOCK_PREFIX + scope;
    }

    public synchronized void compatibility(Compatibility level) {
        this.compatibility = level;
    }

    /** How many register, lookup and byId calls this registry has answered (for cache tests). */
    public int calls() {
        return calls.get();
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        calls.incrementAndGet();
        requireSubject(subject);
        String canonical = schema.toString();
        List<Integer> ids = versions.computeIfAbsent(subject, s -> new ArrayList<>());
        Integer existing = idsByCanonical.get(canonical);
        if (existing != null && ids.contains(existing)) {
            return existing;
        }
        if (!ids.isEmpty()) {
            checkCompatible(subject, schema, schemasById.get(ids.get(ids.size() - 1)));
        }
        int id;
        if (existing != null) {
            id = existing;
        } else {
            id = nextId++;
            idsByCanonical.put(canonical, id);
            schemasById.put(id, new Schema.Parser().parse(canonical));
        }
        ids.add(id);
        return id;
    }

    @Override
    public synchronized int lookup(String subject, Schema schema) {
        calls.incrementAndGet();
        List<Integer> ids = versions.get(subject);
        if (ids == null || ids.isEmpty()) {
            throw new SubjectNotFoundException(subject, "subject '" + subject + "' not found in mock registry '"
                    + scope + "'", 404, 40401);
        }
        Integer id = idsByCanonical.get(schema.toString());
        if (id == null || !ids.contains(id)) {
            throw new SchemaNotRegisteredException(subject, "schema " + schema.getFullName()
                    + " is not registered under subject '" + subject + "' in mock registry '" + scope + "'", 404, 40403);
        }
        return id;
    }

    @Override
    public synchronized Schema byId(int id) {
        calls.incrementAndGet();
        Schema s = schemasById.get(id);
        if (s == null) {
            throw new UnknownSchemaIdException(id, "schema id " + id + " not found in mock registry '" + scope + "'");
        }
        return s;
    }

    /** Version number (from 1) of {@code schema} under {@code subject}; -1 when it is not there. */
    public synchronized int version(String subject, Schema schema) {
        Integer id = idsByCanonical.get(schema.toString());
        List<Integer> ids = versions.getOrDefault(subject, List.of());
        return id == null ? -1 : ids.indexOf(id) + 1;
    }

    /** The ids of {@code subject}'s versions, version 1 first. */
    public synchronized List<Integer> versions(String subject) {
        return List.copyOf(versions.getOrDefault(subject, List.of()));
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(versions.keySet());
    }

    private void checkCompatible(String subject, Schema proposed, Schema latest) {
        List<String> problems = new ArrayList<>();
        if (compatibility == Compatibility.BACKWARD || compatibility == Compatibility.FULL) {
            problems.addAll(problems(proposed, latest));
        }
        if (compatibility == Compatibility.FORWARD || compatibility == Compatibility.FULL) {
            problems.addAll(problems(latest, proposed));
        }
        if (!problems.isEmpty()) {
            throw new IncompatibleSchemaException(subject, "schema being registered is incompatible with the latest "
                    + "version of subject '" + subject + "' (" + compatibility + "): " + String.join("; ", problems),
                    409, 409);
        }
    }

    private static List<String> problems(Schema reader, Schema writer) {
        String problem = AvroSchemas.incompatibility(reader, writer);
        return problem == null ? List.of() : List.of(problem);
    }

    private static void requireSubject(String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
    }
}
