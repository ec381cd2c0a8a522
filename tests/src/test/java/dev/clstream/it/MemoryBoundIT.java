package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory is bounded by bytes, not by record counts: 3,000 records of about 450 KB (1.3 GB in all, waiting in the
 * input as a backlog) go through {@code clstream run} with the default model in a JVM with a 512 MB heap without an
 * OutOfMemoryError, and every one is labeled. Kafka's defaults alone would let Streams buffer 1,000 records per
 * partition (and up to 512 MB of input) while the encoder works through them.
 */
@ExtendWith(KafkaTestCluster.class)
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class MemoryBoundIT {
    static final int RECORDS = 3_000;
    static final int TEXT_BYTES = 450 * 1024;
    /** Partitions of the input: each is fetched (1 MB at a time) and buffered on its own. */
    static final int PARTITIONS = 12;

    @TempDir
    Path dir;

    @Test
    void aBacklogOfLargeRecordsFitsA512MbHeap() throws Exception {
        ItSupport.Topics topics = ItSupport.createAppTopics("memory", PARTITIONS, 2);
        String bootstrap = KafkaTestCluster.bootstrapServers();
        String filler = " lorem ipsum dolor sit amet the cat sat on the mat".repeat(TEXT_BYTES / 50);
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(bootstrap)) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topics.input(), ("m-" + i).getBytes(StandardCharsets.UTF_8),
                        (ItSupport.text(i) + filler).getBytes(StandardCharsets.UTF_8)));
            }
        }
        Map<String, String> settings = new LinkedHashMap<>(topics.settings());
        settings.put("application.id", KafkaTestCluster.uniqueName("memory-app"));
        settings.put("state.dir", dir.resolve("state").toString());
        settings.put(ClstreamConfig.INPUT_FORMAT, "text");
        settings.put(ClstreamConfig.OUTPUT_FORMAT, "json");
        settings.put(ClstreamConfig.HTTP_PORT, "0");
        settings.put(ClstreamConfig.EMBEDDINGS_ENABLED, "false");
        // The default model, as deployed: slower than the fetching, so a backlog piles up in the app if it may.
        Path bundle = ExternalTools.repoRoot().resolve("model-export/target/bundles/bge-small-en-v15-spam");
        assertTrue(Files.isDirectory(bundle), bundle + " is built by model-export before the tests run");
        Path log = dir.resolve("memory.log");
        Process app = ChildApp.start(ChildApp.command(dir, List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError"),
                List.of("run", "--bundle", bundle.toString(), "--bootstrap-servers", bootstrap), settings), log);
        try (OutputCollector out = new OutputCollector(bootstrap, topics.labels(), topics.deadLetters())) {
            ItSupport.awaitOrFail(480_000, () -> {
                if (!app.isAlive()) {
                    throw new AssertionError("the app ended with status " + app.exitValue() + "; its log ends with:\n"
                            + ItSupport.tail(log, 40));
                }
                return out.count(topics.labels()) >= RECORDS;
            }, () -> "labels " + out.count(topics.labels()) + " of " + RECORDS + ", dead letters "
                    + out.count(topics.deadLetters()));
            assertEquals(RECORDS, out.count(topics.labels()));
            assertEquals(0, out.count(topics.deadLetters()));
        } finally {
            ChildApp.signal(app, "TERM");
            ChildApp.awaitExit(app, 75, log);
        }
        String said = Files.readString(log, StandardCharsets.UTF_8);
        assertFalse(said.contains("OutOfMemoryError"), ItSupport.tail(log, 40));
        assertTrue(said.contains("clstream running"), ItSupport.tail(log, 40));
    }
}
