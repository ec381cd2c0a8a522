package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.it.ChildApp.Done;
import dev.clstream.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's commands as a user runs them, each in a JVM of its own against the real test cluster, judged by their
 * exit status and output: {@code run} refusing a bad setting at start-up, {@code produce} from stdin and from a file,
 * {@code tail} on every output topic with {@code --max}, {@code --idle-timeout} and read_committed.
 */
@ExtendWith(KafkaTestCluster.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CommandsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Done clstream(String stdin, List<String> args, Map<String, String> settings) throws Exception {
        return ChildApp.runToEnd(dir, stdin, args, settings);
    }

    @Test
    void runRefusesABadSettingAtStartUpNamingTheKeyAndTheAllowedValues() throws Exception {
        Map<String, String> base = Map.of("bootstrap.servers", KafkaTestCluster.bootstrapServers(),
                ClstreamConfig.HTTP_PORT, "0");
        Map<String, String> badFormat = new HashMap<>(base);
        badFormat.put(ClstreamConfig.INPUT_FORMAT, "xml");
        Done format = clstream(null, List.of("run"), badFormat);
        assertEquals(2, format.status(), format.output());
        assertTrue(format.output().contains("Invalid value xml for configuration input.format: String must be one of: "
                + "avro, json, text"), format.output());

        Map<String, String> badSize = new HashMap<>(base);
        badSize.put(ClstreamConfig.BATCH_MAX_SIZE, "0");
        Done size = clstream(null, List.of("run"), badSize);
        assertEquals(2, size.status(), size.output());
        assertTrue(size.output().contains("batch.max.size") && size.output().contains("at least 1"), size.output());
    }

    @Test
    void produceWritesEveryLineAsAnEventAndReportsTheLinesItSkips() throws Exception {
        String topic = KafkaTestCluster.uniqueName("produce-json");
        ItSupport.createTopics(1, topic);
        Map<String, String> json = Map.of("bootstrap.servers", KafkaTestCluster.bootstrapServers(),
                ClstreamConfig.INPUT_TOPIC, topic, ClstreamConfig.INPUT_FORMAT, "json", ClstreamConfig.OUTPUT_FORMAT, "json");
        long before = System.currentTimeMillis();
        Done fromStdin = clstream("a plain text line\n"
                + "{\"id\": \"j1\", \"text\": \"a JSON event\", \"event_time\": \"2024-01-02T03:04:05Z\"}\n"
                + "\n"
                + "{\"id\": \"j2\", \"text\": 42}\n", List.of("produce"), json);
        assertEquals(1, fromStdin.status(), "a skipped line makes the status 1: " + fromStdin.output());
        assertTrue(fromStdin.output().contains("line 4 skipped (invalid_json)"), fromStdin.output());
        assertTrue(fromStdin.output().contains("2 events to " + topic + " (json); 1 lines skipped"), fromStdin.output());
        Map<String, JsonNode> events = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : ItSupport.readAll(topic, 2)) {
            events.put(new String(r.key(), StandardCharsets.UTF_8), JSON.readTree(r.value()));
        }
        assertEquals(List.of("line-1", "j1"), List.copyOf(events.keySet()), "keys are the events' ids");
        assertEquals("a plain text line", events.get("line-1").get("text").asText());
        assertTrue(events.get("line-1").get("event_time").asLong() >= before, "no time: stamped now");
        assertEquals(1704164645000L, events.get("j1").get("event_time").asLong(), "ISO-8601 event_time");

        String textTopic = KafkaTestCluster.uniqueName("produce-text");
        ItSupport.createTopics(1, textTopic);
        Path file = Files.writeString(dir.resolve("events.jsonl"),
                "{\"id\": \"f1\", \"text\": \"first from a file\"}\nsecond from a file\n");
        Map<String, String> text = Map.of("bootstrap.servers", KafkaTestCluster.bootstrapServers(),
                ClstreamConfig.INPUT_TOPIC, textTopic, ClstreamConfig.INPUT_FORMAT, "text", ClstreamConfig.OUTPUT_FORMAT,
                "json");
        Done fromFile = clstream(null, List.of("produce", "--file", file.toString()), text);
        assertEquals(0, fromFile.status(), fromFile.output());
        List<String> values = ItSupport.readAll(textTopic, 2).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        assertEquals(List.of("first from a file", "second from a file"), values, "input.format=text: the text itself");
    }

    @Test
    void tailPrintsTheCommittedRecordsOfEachOutputTopic() throws Exception {
        ItSupport.Topics topics = ItSupport.createAppTopics("tail", 1);
        try (KafkaProducer<byte[], byte[]> producer = transactional()) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 1; i <= 3; i++) {
                send(producer, topics.labels(), "{\"id\": \"a" + i + "\", \"label\": \"ham\"}");
            }
            send(producer, topics.embeddings(), "{\"id\": \"a1\", \"dimension\": 2, \"vector\": [0.5, 0.25]}");
            send(producer, topics.deadLetters(), "{\"reason\": \"invalid_json\", \"stage\": \"decode\"}");
            producer.commitTransaction();
            producer.beginTransaction();
            send(producer, topics.labels(), "{\"id\": \"aborted\", \"label\": \"spam\"}");
            producer.flush();
            producer.abortTransaction();
        }
        Map<String, String> settings = new HashMap<>(topics.settings());
        settings.put("bootstrap.servers", KafkaTestCluster.bootstrapServers());
        settings.put(ClstreamConfig.INPUT_FORMAT, "json");
        settings.put(ClstreamConfig.OUTPUT_FORMAT, "json");

        Done labels = clstream(null, List.of("tail", "labels", "--from-beginning", "--idle-timeout", "3"), settings);
        assertEquals(0, labels.status(), labels.output());
        assertEquals(List.of("a1", "a2", "a3"), labels.objects().stream().map(o -> o.get("id").asText()).toList(),
                "committed records only, in order (read_committed)");
        Done two = clstream(null, List.of("tail", "labels", "--from-beginning", "--max", "2"), settings);
        assertEquals(0, two.status(), two.output());
        assertEquals(2, two.objects().size(), "--max 2: " + two.output());
        Done embeddings = clstream(null, List.of("tail", "embeddings", "--from-beginning", "--idle-timeout", "3"),
                settings);
        assertEquals(List.of(2), embeddings.objects().stream().map(o -> o.get("dimension").asInt()).toList());
        Done deadLetters = clstream(null, List.of("tail", "dead-letters", "--from-beginning", "--idle-timeout", "3"),
                settings);
        assertEquals(List.of("invalid_json"), deadLetters.objects().stream().map(o -> o.get("reason").asText()).toList());
        Done bogus = clstream(null, List.of("tail", "bogus"), settings);
        assertEquals(2, bogus.status(), bogus.output());
        assertTrue(bogus.output().contains("tail takes labels, embeddings or dead-letters, got 'bogus'"), bogus.output());
    }

    private static KafkaProducer<byte[], byte[]> transactional() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestCluster.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, KafkaTestCluster.uniqueName("tail-writer")),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String json) {
        producer.send(new ProducerRecord<>(topic, json.getBytes(StandardCharsets.UTF_8)));
    }
}
