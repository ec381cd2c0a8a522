package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.avro.ClsEmbedding;
import dev.clstream.avro.DeadLetter;
import dev.clstream.avro.LabeledEvent;
import dev.clstream.avro.TextEvent;
import dev.clstream.avro.TrustedClasses;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.event.DeadLetterReason;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.serde.AvroDeserializer;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.serde.SchemaRegistryClient;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.TestBundles;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad records between good ones, against the real Kafka cluster and Schema Registry: each bad record lands in the
 * dead-letter topic once, with its reason code, a message naming the problem and its original key and value bytes,
 * while every valid record around it is labeled and embedded once. Three app instances run one after the other:
 * {@code input.format=avro}, {@code json} and {@code text}; between them they produce every reason of
 * {@link DeadLetterReason}, which the test enumerates. The text instance serves a bundle whose graph fails on one word
 * ({@code inference_failed}) and writes to a labels topic that takes 8 KiB records at most ({@code too_large}, and a
 * dead letter whose original value is cut to fit).
 */
@ExtendWith({KafkaTestCluster.class, SchemaRegistryServer.class})
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BadInputIT {
    static final int TEXT_MAX_BYTES = 64;
    /** Valid events before, between and after the bad ones. */
    static final int VALID_AROUND = 3;

    @TempDir
    Path dir;

    /** The word the text instance's bundle fails on. */
    static final String POISON = "poison";
    /** The text instance's labels topic takes records of at most this size, so the app sizes its records for it. */
    static final int SMALL_MAX_MESSAGE_BYTES = 8 * 1024;

    /**
     * A bad record and what its dead letter must say; {@code cut}: the original value is too large for a dead letter
     * and only a prefix of it is kept.
     */
    record Bad(String key, byte[] value, String reason, String stage, String messagePart, boolean cut) {
        Bad(String key, byte[] value, String reason, String stage, String messagePart) {
            this(key, value, reason, stage, messagePart, false);
        }
    }

    /** What was sent: the bad records by key with where they went, and the valid ids. */
    record Sent(Map<String, Bad> bad, Map<String, RecordMetadata> where, Set<String> validIds) {}

    @Test
    void badRecordsAreDeadLetteredAndGoodOnesAroundThemLabeled() throws Exception {
        TrustedClasses.install();
        String bootstrap = KafkaTestCluster.bootstrapServers();
        Path bundle = TestBundles.tiny(dir.resolve("tiny")).directory();
        Path failing = TestBundles.tinyFailingOn(dir.resolve("failing"), POISON).directory();
        App avro = new App("avro");
        App json = new App("json");
        App text = new App("text");
        ItSupport.setTopicConfig(text.labels, "max.message.bytes", Integer.toString(SMALL_MAX_MESSAGE_BYTES));
        SchemaRegistryClient registry = ItSupport.registryClient();
        AvroSerializer<TextEvent> serializer = new AvroSerializer<>(registry);

        // The Avro instance's bad records; every one is built from the real registry's id for <input>-value.
        byte[] good = serializer.serialize(avro.input, ItSupport.event("template", "the cat sat on the mat"));
        byte[] wrongMagic = good.clone();
        wrongMagic[0] = 0x01;
        byte[] unknownId = good.clone();
        ByteBuffer.wrap(unknownId, 1, 4).putInt(987_654_321);
        byte[] corrupt = Arrays.copyOf(good, 5 + 12);
        Arrays.fill(corrupt, 5, corrupt.length, (byte) 0xff);
        byte[] truncated = Arrays.copyOf(good, good.length - 4);
        String tooLong = "the cat sat on the mat ".repeat(10);
        int tooLongBytes = tooLong.getBytes(StandardCharsets.UTF_8).length;
        List<Bad> avroBad = List.of(
                new Bad("bad-corrupt", corrupt, "undecodable", "decode", "corrupt data"),
                new Bad("bad-truncated", truncated, "undecodable", "decode", "truncated"),
                new Bad("bad-magic", wrongMagic, "wrong_magic_byte", "decode", "magic byte 0x01"),
                new Bad("bad-unknown-id", unknownId, "unknown_schema_id", "decode", "schema id 987654321"),
                new Bad("bad-null", null, "null_value", "decode", "value is null"),
                new Bad("bad-empty-text", serializer.serialize(avro.input, ItSupport.event("e1", "")), "empty_text",
                        "validate", "text is empty"),
                new Bad("bad-too-large", serializer.serialize(avro.input, ItSupport.event("e2", tooLong)),
                        "text_too_large", "validate", tooLongBytes + " UTF-8 bytes, more than text.max.bytes = "
                        + TEXT_MAX_BYTES),
                new Bad("bad-blank-text", serializer.serialize(avro.input, ItSupport.event("e3", " \t ")), "blank_text",
                        "tokenize", "white space"),
                new Bad("bad-json-on-avro", "{\"id\":\"x\",\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8),
                        "wrong_magic_byte", "decode", "looks like JSON"),
                new Bad("bad-incompatible", textAsInt(registry, avro.input + "-other"), "incompatible_schema", "decode",
                        "cannot be read as reader schema"));
        // The JSON instance's bad records.
        List<Bad> jsonBad = List.of(
                new Bad("bad-invalid-json", "{\"id\": \"j\", \"text\": \"unterminated".getBytes(StandardCharsets.UTF_8),
                        "invalid_json", "decode", "not valid JSON"),
                new Bad("bad-not-json", "hello world".getBytes(StandardCharsets.UTF_8), "invalid_json", "decode",
                        "not valid JSON"),
                new Bad("bad-json-array", "[1, 2, 3]".getBytes(StandardCharsets.UTF_8), "invalid_json", "decode",
                        "not an object"),
                new Bad("bad-json-text-type", "{\"id\": \"j2\", \"text\": 42}".getBytes(StandardCharsets.UTF_8),
                        "invalid_json", "decode", "field 'text' must be a string"),
                new Bad("bad-json-no-text", "{\"id\": \"j3\"}".getBytes(StandardCharsets.UTF_8), "missing_text",
                        "validate", "no text"),
                new Bad("bad-json-null", null, "null_value", "decode", "value is null"));
        // The text instance's bad records: the value is the text itself.
        byte[] big = ("the cat sat on the mat " + "lorem ipsum dolor ".repeat(500)).getBytes(StandardCharsets.UTF_8);
        List<Bad> textBad = List.of(
                new Bad("bad-not-utf8", new byte[] {'h', 'i', (byte) 0xff, (byte) 0xfe, '!'}, "undecodable", "decode",
                        "UTF-8"),
                new Bad("bad-no-tokens", "\u0001\u0002\u0007".getBytes(StandardCharsets.UTF_8), "no_tokens", "tokenize",
                        "no tokens"),
                new Bad("bad-poison", ("the cat ate " + POISON + " on the mat").getBytes(StandardCharsets.UTF_8),
                        "inference_failed", "inference", "encoder run failed"),
                new Bad("bad-too-large-entry", big, "too_large", "validate", "max.request.size", true));

        // The instances run one after the other: Apicurio 2.4.2's in-memory storage can fail concurrent first
        // registrations (HTTP 500, a duplicate content id in H2), which would make the app replace its stream thread.
        try (OutputCollector avroOut = avro.collector(bootstrap);
             OutputCollector jsonOut = json.collector(bootstrap);
             OutputCollector textOut = text.collector(bootstrap);
             ClstreamRuntime avroApp = ClstreamRuntime.start(avro.config(bootstrap, bundle, "avro"))) {
            Sent avroSent;
            Sent jsonSent;
            Sent textSent;
            try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(bootstrap)) {
                avroSent = send(producer, avro.input, avroBad,
                        id -> serializer.serialize(avro.input, ItSupport.event(id, ItSupport.text(Math.floorMod(id.hashCode(), 100_000)))));
                assertTrue(avroApp.awaitRunning(Duration.ofSeconds(60)), "avro app: " + avroApp.streams().state());
                awaitAll(avro, avroOut, avroSent);

                try (ClstreamRuntime jsonApp = ClstreamRuntime.start(json.config(bootstrap, bundle, "json"))) {
                    jsonSent = send(producer, json.input, jsonBad, id -> ("{\"id\": \"" + id + "\", \"text\": \""
                            + ItSupport.text(Math.floorMod(id.hashCode(), 100_000)) + "\", \"event_time\": 1700000000000}")
                            .getBytes(StandardCharsets.UTF_8));
                    assertTrue(jsonApp.awaitRunning(Duration.ofSeconds(60)), "json app: " + jsonApp.streams().state());
                    awaitAll(json, jsonOut, jsonSent);
                }
                try (ClstreamRuntime textApp = ClstreamRuntime.start(text.config(bootstrap, failing, "text"))) {
                    textSent = send(producer, text.input, textBad,
                            id -> ItSupport.text(Math.floorMod(id.hashCode(), 100_000)).getBytes(StandardCharsets.UTF_8));
                    assertTrue(textApp.awaitRunning(Duration.ofSeconds(60)), "text app: " + textApp.streams().state());
                    awaitAll(text, textOut, textSent);
                    ItSupport.sleep(2_000); // grace period: nothing more may arrive
                }
            }
            Set<String> reasons = new TreeSet<>();
            reasons.addAll(check(avro, avroOut, avroSent, registry));
            reasons.addAll(check(json, jsonOut, jsonSent, registry));
            reasons.addAll(check(text, textOut, textSent, registry));
            // Every reason the app can give, produced here through Kafka.
            assertEquals(Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::code)
                    .collect(Collectors.toCollection(TreeSet::new)), reasons, "dead-letter reasons produced");
        }
    }

    /**
     * An Avro record whose writer schema, registered in the real registry under another topic's subject, is TextEvent
     * with {@code text} an int: well-formed, but not readable as the app's TextEvent.
     */
    private static byte[] textAsInt(SchemaRegistryClient registry, String otherTopic) {
        Schema writer = SchemaBuilder.record("TextEvent").namespace("dev.clstream.avro").fields()
                .requiredString("id").requiredInt("text").endRecord();
        GenericRecord r = new GenericData.Record(writer);
        r.put("id", "incompatible");
        r.put("text", 42);
        return new AvroSerializer<GenericRecord>(registry).serialize(otherTopic, r);
    }

    /** One app instance's topics and application id. */
    final class App {
        final String name;
        final String input;
        final String labels;
        final String embeddings;
        final String deadLetters;
        final ItSupport.Topics topics;

        App(String name) {
            this.name = name;
            topics = ItSupport.createAppTopics("bad-" + name, 2);
            input = topics.input();
            labels = topics.labels();
            embeddings = topics.embeddings();
            deadLetters = topics.deadLetters();
        }

        OutputCollector collector(String bootstrap) {
            return new OutputCollector(bootstrap, labels, embeddings, deadLetters);
        }

        ClstreamConfig config(String bootstrap, Path bundle, String inputFormat) {
            Map<String, String> s = new HashMap<>();
            s.put("bootstrap.servers", bootstrap);
            s.put("application.id", KafkaTestCluster.uniqueName("bad-" + name + "-app"));
            s.put("state.dir", dir.resolve("state-" + name).toString());
            // Two apps run at once here: each takes a free port for its HTTP endpoint.
            s.put(ClstreamConfig.HTTP_PORT, "0");
            s.put(ClstreamConfig.SCHEMA_REGISTRY_URL, SchemaRegistryServer.url());
            s.put(ClstreamConfig.INPUT_FORMAT, inputFormat);
            s.put(ClstreamConfig.OUTPUT_FORMAT, "avro");
            if (!inputFormat.equals("text")) {
                s.put(ClstreamConfig.TEXT_MAX_BYTES, Integer.toString(TEXT_MAX_BYTES));
            }
            s.putAll(topics.settings());
            s.put(ClstreamConfig.MODEL_BUNDLE, bundle.toString());
            return ClstreamConfig.of(s);
        }
    }

    /** Sends VALID_AROUND valid events, then each bad record followed by VALID_AROUND valid events. */
    private static Sent send(KafkaProducer<byte[], byte[]> producer, String topic, List<Bad> bad,
                             java.util.function.Function<String, byte[]> valid) throws Exception {
        Map<String, Bad> byKey = new LinkedHashMap<>();
        Map<String, RecordMetadata> where = new HashMap<>();
        Set<String> validIds = new LinkedHashSet<>();
        int n = 0;
        List<Object> order = new ArrayList<>();
        for (int k = 0; k < VALID_AROUND; k++) {
            order.add(topic + "-ok-" + n++);
        }
        for (Bad b : bad) {
            order.add(b);
            for (int k = 0; k < VALID_AROUND; k++) {
                order.add(topic + "-ok-" + n++);
            }
        }
        for (Object o : order) {
            if (o instanceof Bad b) {
                byKey.put(b.key(), b);
                where.put(b.key(), producer.send(new ProducerRecord<>(topic, b.key().getBytes(StandardCharsets.UTF_8),
                        b.value())).get());
            } else {
                String id = (String) o;
                validIds.add(id);
                producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), valid.apply(id))).get();
            }
        }
        return new Sent(byKey, where, validIds);
    }

    private static void awaitAll(App app, OutputCollector out, Sent sent) {
        int valid = sent.validIds().size();
        int bad = sent.bad().size();
        ItSupport.awaitOrFail(60_000, () -> out.count(app.labels) >= valid && out.count(app.embeddings) >= valid
                        && out.count(app.deadLetters) >= bad,
                () -> app.name + " app: labels " + out.count(app.labels) + "/" + valid + ", embeddings "
                        + out.count(app.embeddings) + "/" + valid + ", dead letters " + out.count(app.deadLetters) + "/"
                        + bad);
    }

    /** Checks one instance's outputs; the reasons its dead letters gave. */
    private static Set<String> check(App app, OutputCollector out, Sent sent, SchemaRegistryClient registry) {
        AvroDeserializer<DeadLetter> dlReader = AvroDeserializer.specific(registry, DeadLetter.class);
        List<ConsumerRecord<byte[], byte[]>> dls = out.records(app.deadLetters);
        assertEquals(sent.bad().size(), dls.size(), app.name + ": one dead letter per bad record");
        Map<String, DeadLetter> byKey = new HashMap<>();
        List<Runnable> checks = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : dls) {
            DeadLetter d = dlReader.deserialize(app.deadLetters, r.value());
            assertNotNull(d.getOriginalKey(), "a dead letter without its key: " + d);
            String key = utf8(d.getOriginalKey());
            assertNull(byKey.put(key, d), app.name + ": two dead letters for " + key);
            assertArrayEquals(key.getBytes(StandardCharsets.UTF_8), r.key(), "the dead letter's record key");
            Header reason = r.headers().lastHeader("clstream.dead.letter.reason");
            checks.add(() -> assertEquals(d.getReason(), reason == null ? null
                    : new String(reason.value(), StandardCharsets.UTF_8), key + ": reason header"));
        }
        for (Bad b : sent.bad().values()) {
            DeadLetter d = byKey.get(b.key());
            RecordMetadata md = sent.where().get(b.key());
            checks.add(() -> {
                assertNotNull(d, app.name + ": no dead letter for " + b.key() + "; got " + byKey.keySet());
                assertEquals(b.reason(), d.getReason(), b.key() + ": reason (message: " + d.getMessage() + ")");
                assertEquals(b.stage(), d.getStage(), b.key() + ": stage");
                assertTrue(d.getMessage().toLowerCase(Locale.ROOT).contains(b.messagePart().toLowerCase(Locale.ROOT)),
                        b.key() + ": message should name the problem ('" + b.messagePart() + "'): " + d.getMessage());
                assertEquals(app.input, d.getSourceTopic(), b.key() + ": source topic");
                assertEquals(md.partition(), d.getSourcePartition(), b.key() + ": source partition");
                assertEquals(md.offset(), d.getSourceOffset(), b.key() + ": source offset");
                // The model is named where it had a part (tokenizer or encoder), and only there.
                boolean modelStage = DeadLetterReason.ofCode(b.reason()).orElseThrow().stage().involvesModel();
                assertEquals(modelStage, d.getModelName() != null, b.key() + ": model name " + d.getModelName());
                assertEquals(modelStage, d.getModelVersion() != null, b.key() + ": model version");
                if (b.value() == null) {
                    assertNull(d.getOriginalValue(), b.key() + ": original value");
                } else if (b.cut()) {
                    byte[] kept = bytes(d.getOriginalValue());
                    assertTrue(kept.length < b.value().length, b.key() + ": the original value is cut");
                    assertArrayEquals(Arrays.copyOf(b.value(), kept.length), kept, b.key() + ": a prefix is kept");
                    assertTrue(d.getMessage().contains("original value of " + b.value().length + " bytes cut to its "
                            + "first " + kept.length + " bytes"), b.key() + ": the message says so: " + d.getMessage());
                } else {
                    assertNotNull(d.getOriginalValue(), b.key() + ": original value");
                    assertArrayEquals(b.value(), bytes(d.getOriginalValue()), b.key() + ": original value bytes");
                }
            });
            System.out.printf("[bad-input] %s/%s -> %s (%s): %s%n", app.name, b.key(), d == null ? "-" : d.getReason(),
                    d == null ? "-" : d.getStage(), d == null ? "-" : d.getMessage());
        }
        AvroDeserializer<LabeledEvent> labelReader = AvroDeserializer.specific(registry, LabeledEvent.class);
        AvroDeserializer<ClsEmbedding> embeddingReader = AvroDeserializer.specific(registry, ClsEmbedding.class);
        Map<String, Integer> labels = new HashMap<>();
        out.records(app.labels).forEach(r -> labels.merge(labelReader.deserialize(app.labels, r.value()).getId(), 1,
                Integer::sum));
        Map<String, Integer> embeddings = new HashMap<>();
        out.records(app.embeddings).forEach(r -> embeddings.merge(
                embeddingReader.deserialize(app.embeddings, r.value()).getId(), 1, Integer::sum));
        checks.add(() -> RoundTripIT.assertExactlyOnce(app.name + " labels", sent.validIds(), labels));
        checks.add(() -> RoundTripIT.assertExactlyOnce(app.name + " embeddings", sent.validIds(), embeddings));
        assertAll(app.name, checks.stream().map(c -> (org.junit.jupiter.api.function.Executable) c::run));
        return byKey.values().stream().map(DeadLetter::getReason).collect(Collectors.toSet());
    }

    private static String utf8(ByteBuffer b) {
        return new String(bytes(b), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
