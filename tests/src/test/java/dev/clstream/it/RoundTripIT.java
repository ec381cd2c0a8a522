package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.clstream.avro.ClsEmbedding;
import dev.clstream.avro.LabelProbability;
import dev.clstream.avro.LabeledEvent;
import dev.clstream.avro.TextEvent;
import dev.clstream.avro.TrustedClasses;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.serde.AvroDeserializer;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.serde.ConfluentWireFormat;
import dev.clstream.serde.SchemaRegistryClient;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.TestBundles;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 Avro TextEvents through the real app (in this JVM) against a real Kafka cluster and a real Schema Registry:
 * every input gets exactly one LabeledEvent and one ClsEmbedding (read_committed), with schemas registered under
 * TopicNameStrategy subjects and ids that resolve through the registry's REST API.
 */
@ExtendWith({KafkaTestCluster.class, SchemaRegistryServer.class})
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RoundTripIT {
    static final int EVENTS = 10_000;

    @TempDir
    Path dir;

    @Test
    void tenThousandAvroEventsAreLabeledAndEmbeddedExactlyOnce() throws Exception {
        TrustedClasses.install();
        ItSupport.Topics topics = ItSupport.createAppTopics("rt", 3);
        String input = topics.input();
        String labels = topics.labels();
        String embeddings = topics.embeddings();
        String deadLetters = topics.deadLetters();
        String bootstrap = KafkaTestCluster.bootstrapServers();
        Path bundle = TestBundles.tiny(dir.resolve("tiny")).directory();

        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", bootstrap);
        settings.put("application.id", KafkaTestCluster.uniqueName("rt-app"));
        settings.put("state.dir", dir.resolve("state").toString());
        settings.put(ClstreamConfig.HTTP_PORT, "0");
        settings.put(ClstreamConfig.SCHEMA_REGISTRY_URL, SchemaRegistryServer.url());
        settings.put(ClstreamConfig.INPUT_FORMAT, "avro");
        settings.put(ClstreamConfig.OUTPUT_FORMAT, "avro");
        settings.putAll(topics.settings());
        settings.put(ClstreamConfig.MODEL_BUNDLE, bundle.toString());

        Set<String> ids = new LinkedHashSet<>();
        long t0 = System.nanoTime();
        try (OutputCollector out = new OutputCollector(bootstrap, labels, embeddings, deadLetters);
             ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(settings))) {
            assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "the app did not reach RUNNING: " + app.streams().state());
            long running = System.nanoTime();

            AvroSerializer<TextEvent> serializer = ItSupport.textEventSerializer();
            try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(bootstrap)) {
                for (int i = 0; i < EVENTS; i++) {
                    String id = "rt-" + i;
                    ids.add(id);
                    TextEvent e = TextEvent.newBuilder().setId(id).setText(ItSupport.text(i))
                            .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + i))
                            .setAttributes(Map.of("n", Integer.toString(i))).build();
                    producer.send(new ProducerRecord<>(input, id.getBytes(StandardCharsets.UTF_8),
                            serializer.serialize(input, e)));
                }
                producer.flush();
            }
            long produced = System.nanoTime();

            ItSupport.awaitOrFail(120_000, () -> out.count(labels) >= EVENTS && out.count(embeddings) >= EVENTS,
                    () -> "labels " + out.count(labels) + ", embeddings " + out.count(embeddings) + ", dead letters "
                            + out.count(deadLetters) + " of " + EVENTS);
            long done = System.nanoTime();
            // A short grace period: nothing more may arrive (no duplicates written late).
            ItSupport.sleep(2_000);
            System.out.printf("[round-trip] app running after %d ms; %d events produced in %d ms; all %d labels and "
                    + "embeddings committed %d ms after the last send%n", ms(running - t0), EVENTS, ms(produced - running),
                    EVENTS, ms(done - produced));

            assertEquals(0, out.count(deadLetters), "dead letters: " + out.records(deadLetters));
            SchemaRegistryClient registry = ItSupport.registryClient();
            AvroDeserializer<LabeledEvent> labelReader = AvroDeserializer.specific(registry, LabeledEvent.class);
            AvroDeserializer<ClsEmbedding> embeddingReader = AvroDeserializer.specific(registry, ClsEmbedding.class);

            List<ConsumerRecord<byte[], byte[]>> labelRecords = out.records(labels);
            List<ConsumerRecord<byte[], byte[]>> embeddingRecords = out.records(embeddings);
            assertEquals(EVENTS, labelRecords.size(), "labeled events after the grace period");
            assertEquals(EVENTS, embeddingRecords.size(), "embeddings after the grace period");

            Map<String, Integer> labelIds = new HashMap<>();
            Set<Integer> labelSchemaIds = new TreeSet<>();
            for (ConsumerRecord<byte[], byte[]> r : labelRecords) {
                labelSchemaIds.add(ConfluentWireFormat.schemaId(r.value()));
                LabeledEvent l = labelReader.deserialize(labels, r.value());
                labelIds.merge(l.getId(), 1, Integer::sum);
                assertEquals(l.getId(), new String(r.key(), StandardCharsets.UTF_8), "the input key is kept");
                assertEquals(TestBundles.TINY_LABELS, l.getProbabilities().stream().map(LabelProbability::getLabel).toList());
                double sum = l.getProbabilities().stream().mapToDouble(LabelProbability::getProbability).sum();
                assertEquals(1.0, sum, 1e-4, "probabilities of " + l.getId());
                assertTrue(TestBundles.TINY_LABELS.contains(l.getLabel()));
                int n = Integer.parseInt(l.getId().substring(3));
                assertEquals(Instant.ofEpochMilli(1_700_000_000_000L + n), l.getEventTime(), "event_time is copied");
            }
            Map<String, Integer> embeddingIds = new HashMap<>();
            Set<Integer> embeddingSchemaIds = new TreeSet<>();
            for (ConsumerRecord<byte[], byte[]> r : embeddingRecords) {
                embeddingSchemaIds.add(ConfluentWireFormat.schemaId(r.value()));
                ClsEmbedding e = embeddingReader.deserialize(embeddings, r.value());
                embeddingIds.merge(e.getId(), 1, Integer::sum);
                assertEquals(8, e.getDimension());
                assertEquals(8, e.getVector().size());
            }
            assertExactlyOnce("labels", ids, labelIds);
            assertExactlyOnce("embeddings", ids, embeddingIds);

            // The registry holds the TopicNameStrategy subjects, and the ids in the wire headers resolve by REST.
            List<String> subjects = SchemaRegistryServer.subjects();
            for (String topic : List.of(input, labels, embeddings)) {
                assertTrue(subjects.contains(topic + "-value"), "subject " + topic + "-value in " + subjects);
            }
            assertEquals(1, labelSchemaIds.size(), "one schema id in the labels' headers: " + labelSchemaIds);
            assertEquals(1, embeddingSchemaIds.size(), "one schema id in the embeddings' headers: " + embeddingSchemaIds);
            assertSchemaById(labelSchemaIds.iterator().next(), LabeledEvent.getClassSchema());
            assertSchemaById(embeddingSchemaIds.iterator().next(), ClsEmbedding.getClassSchema());
        }
    }

    private static void assertSchemaById(int id, Schema expected) {
        assertTrue(id >= 0, "a Confluent wire header with a schema id");
        Schema fetched = SchemaRegistryServer.schemaById(id);
        assertEquals(expected.getFullName(), fetched.getFullName());
        assertEquals(expected, fetched, "the registered schema is the generated class's schema");
    }

    static void assertExactlyOnce(String what, Set<String> expected, Map<String, Integer> seen) {
        List<String> duplicated = new ArrayList<>();
        seen.forEach((id, n) -> {
            if (n != 1) {
                duplicated.add(id + " x" + n);
            }
        });
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(seen.keySet());
        Set<String> unexpected = new TreeSet<>(seen.keySet());
        unexpected.removeAll(expected);
        Collections.sort(duplicated);
        if (!duplicated.isEmpty() || !missing.isEmpty() || !unexpected.isEmpty()) {
            fail(what + ": " + duplicated.size() + " duplicated " + first(duplicated) + ", " + missing.size()
                    + " missing " + first(missing) + ", " + unexpected.size() + " unexpected " + first(unexpected));
        }
    }

    private static String first(java.util.Collection<String> c) {
        return c.stream().limit(20).toList().toString();
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /**
     * The registry was asked to listen on 127.0.0.1 only: neither another loopback address nor a non-loopback address
     * of this host may reach it.
     */
    @Test
    void registryListensOnLoopbackOnly() throws Exception {
        int port = SchemaRegistryServer.port();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
        }
        // 127.0.0.2 is on the loopback interface of every Linux host but is not the address the registry was bound
        // to: a server listening on all addresses answers there too, so this check never passes for want of one.
        List<InetAddress> others = new ArrayList<>(List.of(InetAddress.getByName("127.0.0.2")));
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (ni.isUp() && !ni.isLoopback()) {
                Collections.list(ni.getInetAddresses()).stream()
                        .filter(a -> a instanceof Inet4Address && !a.isLinkLocalAddress()).forEach(others::add);
            }
        }
        Set<String> reached = new HashSet<>();
        for (InetAddress a : others) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(a, port), 1_000);
                reached.add(a.getHostAddress());
            } catch (ConnectException | SocketTimeoutException expected) {
                // refused: not listening there
            }
        }
        assertTrue(reached.isEmpty(), "the registry answers on non-loopback addresses " + reached
                + " (checked " + others + ")");
        System.out.println("[round-trip] registry on 127.0.0.1:" + port + " refuses connections on " + others);
    }
}
