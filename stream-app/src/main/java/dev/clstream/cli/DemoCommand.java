package dev.clstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.runtime.ClstreamRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clstream demo}: the whole pipeline on one machine. Starts clstream in embedded mode (a
 * real Kafka broker in this JVM, in-JVM registry, default model), feeds it SpamAssassin messages
 * the model never saw in training (the held-out split), and prints each labeled event next to its
 * true label, with a live throughput and latency line.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run clstream end to end on demo traffic: embedded Kafka, default model, held-out SpamAssassin "
                + "messages in, labeled events printed with a live throughput line.")
final class DemoCommand implements Callable<Integer> {
    static final String DEMO_DATA = "demo/spamassassin-held-out.jsonl.gz";

    @Mixin
    ConfigOptions config;

    @Option(names = "--data", paramLabel = "FILE",
            description = "JSON lines (.gz) with id, text and label (default: the held-out split built with the bundles)")
    Path data;

    @Option(names = "--count", defaultValue = "0",
            description = "Stop after this many labeled events (0: run until Ctrl-C). Default: ${DEFAULT-VALUE}")
    long count;

    @Option(names = "--rate", defaultValue = "0",
            description = "Events per second to produce (0: as fast as the producer goes). Default: ${DEFAULT-VALUE}")
    double rate;

    @Spec
    CommandSpec spec;

    private record Message(String id, String text, String label) {}

    @Override
    public Integer call() throws Exception {
        List<Message> messages = read(data != null ? data : defaultData());
        ClstreamConfig requested = config.load();
        PrintWriter out = spec.commandLine().getOut();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch closed = new CountDownLatch(1);
        // Ctrl-C: ask the loop to stop, then hold the JVM until the runtime has closed, so that no encoder run is
        // still in native code when the process exits, and the summary gets printed.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                closed.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-shutdown"));
        try (ClstreamRuntime runtime = ClstreamRuntime.start(requested)) {
            ClstreamConfig c = runtime.config();
            out.printf("clstream demo: model %s, Kafka at %s, %d held-out messages; Ctrl-C to stop%n",
                    runtime.engine().manifest().id(), runtime.bootstrapServers(), messages.size());
            runtime.httpUrl().ifPresent(url -> out.printf("live page: %s/ (throughput, latency, labels, dead letters, "
                    + "low-confidence events)%n", url));
            out.flush();
            Map<String, Message> byId = new ConcurrentHashMap<>();
            AtomicLong produced = new AtomicLong();
            AtomicLong answered = new AtomicLong();
            long window = Math.max(16, 2L * c.batchLimits().maxSize());
            Thread producer = new Thread(() -> produce(c, messages, byId, produced, answered, window, stop),
                    "demo-producer");
            producer.setDaemon(true);
            producer.start();
            DemoReport report = new DemoReport(out, spec.commandLine().getErr(), produced);
            try (OutputReader labels = new OutputReader(c, c.labelsTopic());
                 OutputReader deadLetters = new OutputReader(c, c.deadLetterTopic())) {
                while (!stop.get() && (count == 0 || report.labeled() < count)) {
                    for (JsonNode label : labels.poll(200)) {
                        Message m = byId.get(baseId(label.path("id").asText()));
                        report.labeled(label, m == null ? null : m.label(), m == null ? "" : m.text());
                    }
                    report.deadLetters(deadLetters.poll(0).size());
                    answered.set(report.labeled() + report.deadLetterCount());
                    report.tick();
                }
            } finally {
                stop.set(true);
                report.summary();
            }
        } finally {
            closed.countDown();
        }
        return 0;
    }

    /**
     * Produces the messages in rounds, at most {@code window} ahead of what has been answered, so
     * that the demo shows the pipeline's real throughput and latency rather than a growing backlog
     * (unless --rate asks for a fixed rate).
     */
    private void produce(ClstreamConfig c, List<Message> messages, Map<String, Message> byId, AtomicLong produced,
                         AtomicLong answered, long window, AtomicBoolean stop) {
        EventWriter writer = new EventWriter(c);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.streamsProperties().getProperty("bootstrap.servers"));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            // The held-out set is replayed in rounds; ids get a round suffix so every event stays unique.
            for (int round = 0; !stop.get(); round++) {
                for (Message m : messages) {
                    if (stop.get()) {
                        return;
                    }
                    byId.putIfAbsent(m.id(), m);
                    String id = round == 0 ? m.id() : m.id() + "#" + round;
                    producer.send(new ProducerRecord<>(c.inputTopic(), id.getBytes(StandardCharsets.UTF_8),
                            writer.encode(c.inputTopic(), id, m.text(), System.currentTimeMillis(), Map.of())));
                    long n = produced.incrementAndGet();
                    pace(start, n, answered, window, stop);
                }
            }
        }
    }

    private void pace(long startNanos, long sent, AtomicLong answered, long window, AtomicBoolean stop) {
        try {
            if (rate > 0) {
                long wait = startNanos + (long) (sent / rate * 1e9) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                return;
            }
            while (sent - answered.get() > window && !stop.get()) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.set(true);
        }
    }

    private static String baseId(String id) {
        int hash = id.indexOf('#');
        return hash < 0 ? id : id.substring(0, hash);
    }

    private static Path defaultData() {
        Path home = BuiltInBundles.home();
        if (home == null) {
            throw new IllegalArgumentException("no demo data: pass --data FILE, or set CLSTREAM_BUNDLES_DIR");
        }
        Path p = home.resolve(DEMO_DATA);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("demo data " + p + " is missing: build the default bundles with "
                    + "'mvn install' from the repository root, or pass --data FILE");
        }
        return p;
    }

    private static List<Message> read(Path file) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Message> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(file.toString().endsWith(".gz")
                ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isBlank()) {
                    JsonNode n = json.readTree(line);
                    out.add(new Message(n.path("id").asText(), n.path("text").asText(), n.path("label").asText(null)));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no messages");
        }
        return out;
    }

    static String oneLine(String text, int max) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, max - 1) + "…";
    }

    static String percent(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v * 100);
    }
}
