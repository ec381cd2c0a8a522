package dev.clstream.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Judges a run the way Kafka's own {@code EosTestDriver} does: once no transaction of the app is open, it reads the
 * input and every output from the beginning with {@code read_committed} and reports, per input id, whether it is
 * missing from an output, there more than once, and whether its label is the one a fault-free reference gives for
 * its text; and any output id that no input has. The app's JSON outputs are read ({@code id}, {@code label}).
 */
final class EosVerifier {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the outputs hold against the input; {@link #line()} is the one-line verdict. */
    record Verdict(int inputs, int labels, int labelsMissing, int labelsDuplicated, int labelsUnexpected,
                   int wrongLabels, int embeddings, int embeddingsMissing, int embeddingsDuplicated,
                   int embeddingsUnexpected, int deadLetters, List<String> examples) {
        boolean exactlyOnce() {
            return labelsMissing == 0 && labelsDuplicated == 0 && labelsUnexpected == 0 && wrongLabels == 0
                    && embeddingsMissing == 0 && embeddingsDuplicated == 0 && embeddingsUnexpected == 0
                    && deadLetters == 0 && labels == inputs && embeddings == inputs;
        }

        String line() {
            return String.format("EOS verdict %s: %d inputs; labels %d (missing %d, duplicated %d, unexpected %d, "
                            + "wrong label %d); embeddings %d (missing %d, duplicated %d, unexpected %d); dead letters "
                            + "%d%s", exactlyOnce() ? "PASS" : "FAIL", inputs, labels, labelsMissing, labelsDuplicated,
                    labelsUnexpected, wrongLabels, embeddings, embeddingsMissing, embeddingsDuplicated,
                    embeddingsUnexpected, deadLetters, examples.isEmpty() ? "" : "; e.g. " + examples);
        }
    }

    private EosVerifier() {}

    /**
     * @param expectedLabels the reference label of every input id (a fault-free run of the same texts)
     * @param transactionalIdPrefix the app's transactional ids start with this (its {@code application.id})
     */
    static Verdict verify(String bootstrap, Admin admin, String transactionalIdPrefix, Map<String, String> expectedLabels,
                          String input, String labels, String embeddings, String deadLetters) throws Exception {
        awaitNoOpenTransaction(admin, transactionalIdPrefix);
        int inputs = readAll(bootstrap, input).size();
        Map<String, List<String>> labelsById = byId(readAll(bootstrap, labels), "label");
        Map<String, List<String>> embeddingsById = byId(readAll(bootstrap, embeddings), null);
        int dead = readAll(bootstrap, deadLetters).size();
        List<String> examples = new ArrayList<>();
        int[] l = judge("label", expectedLabels.keySet(), labelsById, examples);
        int[] e = judge("embedding", expectedLabels.keySet(), embeddingsById, examples);
        int wrong = 0;
        for (Map.Entry<String, List<String>> en : labelsById.entrySet()) {
            String expected = expectedLabels.get(en.getKey());
            for (String got : en.getValue()) {
                if (expected != null && !expected.equals(got)) {
                    wrong++;
                    if (examples.size() < 5) {
                        examples.add(en.getKey() + " labeled " + got + ", reference " + expected);
                    }
                }
            }
        }
        return new Verdict(inputs, count(labelsById), l[0], l[1], l[2], wrong, count(embeddingsById), e[0], e[1], e[2],
                dead, examples);
    }

    /** {missing, duplicated, unexpected} of one output against the input ids. */
    private static int[] judge(String what, Set<String> ids, Map<String, List<String>> byId, List<String> examples) {
        int missing = 0;
        int duplicated = 0;
        int unexpected = 0;
        for (String id : ids) {
            int n = byId.getOrDefault(id, List.of()).size();
            if (n == 0) {
                missing++;
            } else if (n > 1) {
                duplicated++;
            }
            if (n != 1 && examples.size() < 5) {
                examples.add(id + ": " + n + " " + what + "s");
            }
        }
        for (String id : byId.keySet()) {
            if (!ids.contains(id)) {
                unexpected++;
            }
        }
        return new int[] {missing, duplicated, unexpected};
    }

    private static int count(Map<String, List<String>> byId) {
        return byId.values().stream().mapToInt(List::size).sum();
    }

    /** Output values by their {@code id}: each record's {@code field} (or "" when null). */
    private static Map<String, List<String>> byId(List<ConsumerRecord<byte[], byte[]>> records, String field) {
        Map<String, List<String>> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                JsonNode n = JSON.readTree(r.value());
                out.computeIfAbsent(n.path("id").asText(), k -> new ArrayList<>())
                        .add(field == null ? "" : n.path(field).asText());
            } catch (IOException e) {
                throw new UncheckedIOException("not a JSON output record in " + r.topic() + "@" + r.offset(), e);
            }
        }
        return out;
    }

    /** Waits (up to 2 min) until none of the app's transactions is ongoing: then read_committed reads everything. */
    private static void awaitNoOpenTransaction(Admin admin, String prefix) {
        ItSupport.awaitOrFail(120_000, () -> openTransactions(admin, prefix).isEmpty(),
                () -> "transactions still open: " + openTransactions(admin, prefix));
    }

    private static List<String> openTransactions(Admin admin, String prefix) {
        try {
            return admin.listTransactions(new ListTransactionsOptions().filterStates(
                            List.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT,
                                    TransactionState.PREPARE_ABORT)))
                    .all().get().stream().map(TransactionListing::transactionalId)
                    .filter(id -> id.startsWith(prefix)).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list transactions", e);
        }
    }

    /** Every committed record of {@code topic}, read to its end offsets. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, "eos-verifier"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(parts));
            ItSupport.awaitOrFail(120_000, () -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return parts.stream().allMatch(p -> c.position(p) >= end.get(p));
            }, () -> topic + ": read " + out.size() + " records, not at the end offsets " + end);
        }
        return out;
    }
}
