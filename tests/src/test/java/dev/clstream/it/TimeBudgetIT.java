package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.runtime.Hooks;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.TestBundles;
import dev.clstream.tokenize.TokenizedText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A micro-batch's inference runs inside the open transaction. With an encoder that costs a fixed
 * 0.2 ms per token, a backlog of 5,000 events, micro-batches of up to 1,000 events and a 1 s
 * transaction timeout, an unbounded flush (about 2 s) would outlive its transaction: the producer
 * is fenced and the same work repeats. Cut to the 250 ms budget, the app stays RUNNING and labels
 * every event exactly once.
 */
@ExtendWith(KafkaTestCluster.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TimeBudgetIT {
    static final int EVENTS = 5_000;
    static final long NANOS_PER_TOKEN = 200_000;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aSlowEncoderNeverOutlivesTheTransaction() throws Exception {
        ItSupport.Topics topics = ItSupport.createAppTopics("budget", 2);
        String bootstrap = KafkaTestCluster.bootstrapServers();
        Set<String> ids = new LinkedHashSet<>();
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(bootstrap)) {
            for (int i = 0; i < EVENTS; i++) {
                String id = "b-" + i;
                ids.add(id);
                producer.send(new ProducerRecord<>(topics.input(), id.getBytes(StandardCharsets.UTF_8),
                        ("{\"id\":\"" + id + "\",\"text\":\"the cat sat on the mat number " + i + "\"}")
                                .getBytes(StandardCharsets.UTF_8)));
            }
        }
        Map<String, String> s = ItSupport.jsonAppSettings(topics, "budget-app", dir.resolve("state"));
        s.put(ClstreamConfig.BATCH_MAX_SIZE, "1000");
        s.put(ClstreamConfig.BATCH_MAX_TOKENS, "1000000");
        s.put(ClstreamConfig.BATCH_MAX_WAIT_MS, "100");
        s.put(ClstreamConfig.BATCH_MAX_INFERENCE_MS, "250");
        s.put("producer.transaction.timeout.ms", "1000");
        s.put(ClstreamConfig.INFERENCE_CONCURRENCY, "1");
        s.put(ClstreamConfig.MODEL_BUNDLE, TestBundles.tiny(dir.resolve("tiny")).directory().toString());
        Hooks slow = Hooks.encoder(batch -> {
            long tokens = batch.stream().mapToLong(TokenizedText::length).sum();
            try {
                TimeUnit.NANOSECONDS.sleep(tokens * NANOS_PER_TOKEN);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<String> states = new CopyOnWriteArrayList<>();
        try (OutputCollector out = new OutputCollector(bootstrap, topics.outputs());
             ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(s), slow)) {
            Thread watcher = new Thread(() -> {
                KafkaStreams.State last = null;
                while (!Thread.currentThread().isInterrupted()) {
                    KafkaStreams.State now = app.streams().state();
                    if (now != last) {
                        states.add(now.name());
                        last = now;
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "state-watcher");
            watcher.start();
            try {
                ItSupport.awaitOrFail(240_000, () -> out.count(topics.labels()) >= EVENTS,
                        () -> "labels " + out.count(topics.labels()) + " of " + EVENTS + "; states " + states);
                ItSupport.sleep(2_000); // nothing more may arrive
            } finally {
                watcher.interrupt();
                watcher.join(5_000);
            }
            Map<String, Integer> labeled = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : out.records(topics.labels())) {
                labeled.merge(JSON.readTree(r.value()).get("id").asText(), 1, Integer::sum);
            }
            RoundTripIT.assertExactlyOnce("labels", ids, labeled);
            assertEquals(0, out.count(topics.deadLetters()), "dead letters");
            // Once running, never a rebalance: no flush outlived its transaction.
            List<String> after = new ArrayList<>(states.subList(Math.max(0, states.indexOf("RUNNING")), states.size()));
            assertEquals(List.of("RUNNING"), after, "states after the first RUNNING: " + states);
            assertTrue(states.contains("RUNNING"), states.toString());
        }
    }
}
