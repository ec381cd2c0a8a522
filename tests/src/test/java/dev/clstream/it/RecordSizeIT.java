package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.TestBundles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * No record can stop its partition: on the test cluster with default sizes (1 MB messages), a record whose outputs or
 * whose waiting entry would be too large for Kafka is labeled or dead-lettered, and the 50 normal events behind it are
 * labeled. Poisons: a valid 600 KB text, a 600 KB key, 600 KB of headers (text in, JSON out), and an 800 KB value that
 * is not JSON (JSON in and out: its dead letter carries the bytes as base64, a third more).
 */
@ExtendWith(KafkaTestCluster.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RecordSizeIT {
    static final int NORMAL = 50;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A poison: key, value and headers as a producer sends them. */
    private record Poison(String name, byte[] key, byte[] value, Map<String, byte[]> headers) {}

    private static byte[] bytes(int n, char c) {
        return String.valueOf(c).repeat(n).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void oversizedRecordsNeverStopTheirPartition() throws Exception {
        run("text", List.of(
                new Poison("big-text", "big-text".getBytes(StandardCharsets.UTF_8),
                        ("the cat sat on the mat " + "lorem ipsum dolor ".repeat(600 * 1024 / 18)).getBytes(StandardCharsets.UTF_8),
                        Map.of()),
                new Poison("big-key", bytes(600 * 1024, 'k'), "a short text".getBytes(StandardCharsets.UTF_8), Map.of()),
                new Poison("big-headers", "big-headers".getBytes(StandardCharsets.UTF_8),
                        "a short text".getBytes(StandardCharsets.UTF_8),
                        Map.of("h1", bytes(300 * 1024, 'a'), "h2", bytes(300 * 1024, 'b')))));
        run("json", List.of(new Poison("big-garbage", "big-garbage".getBytes(StandardCharsets.UTF_8),
                bytes(800 * 1024, '{'), Map.of())));
    }

    private void run(String inputFormat, List<Poison> poisons) throws Exception {
        ItSupport.Topics topics = ItSupport.createAppTopics("size-" + inputFormat, 1);
        Map<String, String> s = new HashMap<>(topics.settings());
        s.put("bootstrap.servers", KafkaTestCluster.bootstrapServers());
        s.put("application.id", KafkaTestCluster.uniqueName("size-" + inputFormat + "-app"));
        s.put("state.dir", dir.resolve("state-" + inputFormat).toString());
        s.put(ClstreamConfig.INPUT_FORMAT, inputFormat);
        s.put(ClstreamConfig.OUTPUT_FORMAT, "json");
        s.put(ClstreamConfig.HTTP_PORT, "0");
        s.put(ClstreamConfig.MODEL_BUNDLE, TestBundles.tiny(dir.resolve("tiny-" + inputFormat)).directory().toString());
        String bootstrap = KafkaTestCluster.bootstrapServers();
        Set<String> normal = new HashSet<>();
        Map<String, Long> poisonOffsets = new HashMap<>();
        try (OutputCollector out = new OutputCollector(bootstrap, topics.outputs());
             ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(s));
             KafkaProducer<byte[], byte[]> producer = ItSupport.producer(bootstrap)) {
            assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "not RUNNING: " + app.streams().state());
            // One partition: every poison sits in front of the normal events that follow it.
            for (Poison p : poisons) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topics.input(), p.key(), p.value());
                p.headers().forEach((k, v) -> r.headers().add(new RecordHeader(k, v)));
                poisonOffsets.put(p.name(), producer.send(r).get().offset());
                for (int i = 0; i < NORMAL; i++) {
                    String id = p.name() + "-normal-" + i;
                    normal.add(id);
                    String text = "the cat sat " + i;
                    producer.send(new ProducerRecord<>(topics.input(), id.getBytes(StandardCharsets.UTF_8),
                            (inputFormat.equals("json") ? "{\"id\":\"" + id + "\",\"text\":\"" + text + "\"}" : text)
                                    .getBytes(StandardCharsets.UTF_8))).get();
                }
            }
            ItSupport.awaitOrFail(120_000, () -> labeledIds(out, topics).containsAll(normal),
                    () -> "labeled " + labeledIds(out, topics).stream().filter(normal::contains).count() + " of "
                            + normal.size() + " normal events; dead letters " + out.count(topics.deadLetters()));
            // Each poison has come out once: labeled (the long text is cut at the model's max length) or dead-lettered.
            Set<String> labeled = labeledIds(out, topics);
            List<String> deadLettered = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : out.records(topics.deadLetters())) {
                JsonNode d = JSON.readTree(r.value());
                String key = r.key() == null ? "(no key)" : new String(r.key(), StandardCharsets.UTF_8);
                deadLettered.add(key.substring(0, Math.min(20, key.length())) + ": " + d.get("reason").asText() + ": "
                        + d.get("message").asText());
                assertTrue(r.serializedValueSize() + r.serializedKeySize() < 1024 * 1024, "the dead letter fits");
            }
            for (Poison p : poisons) {
                // Its id: the JSON's, or for text the key.
                String id = inputFormat.equals("json") ? p.name() : new String(p.key(), StandardCharsets.UTF_8);
                boolean wasLabeled = labeled.contains(id);
                long dead = out.records(topics.deadLetters()).stream().filter(r -> sourceOffset(r) == poisonOffsets
                        .get(p.name())).count();
                assertEquals(1, (wasLabeled ? 1 : 0) + dead, p.name() + " comes out exactly once; dead letters "
                        + deadLettered);
            }
            System.out.printf("[record-size] %s: %d normal events labeled; dead letters: %s%n", inputFormat,
                    normal.size(), deadLettered);
        }
    }

    private static long sourceOffset(ConsumerRecord<byte[], byte[]> deadLetter) {
        try {
            return JSON.readTree(deadLetter.value()).get("source_offset").asLong();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> labeledIds(OutputCollector out, ItSupport.Topics topics) {
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : out.records(topics.labels())) {
            try {
                ids.add(JSON.readTree(r.value()).get("id").asText());
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
        return ids;
    }
}
