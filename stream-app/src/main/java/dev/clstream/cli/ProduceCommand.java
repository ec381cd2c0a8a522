package dev.clstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code clstream produce}: text events from a file or stdin to the input topic, in the configured
 * {@code input.format}. Each line is a JSON object ({@code id}, {@code text}, optional
 * {@code event_time} and {@code attributes}) or, if it does not start with '{', the text itself.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Produce text events (one per line: JSON {\"id\",\"text\",...} or plain text) to the input topic.")
final class ProduceCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--file", paramLabel = "FILE", description = "Read lines from FILE instead of stdin")
    Path file;

    @Option(names = "--topic", description = "Topic (default: input.topic)")
    String topic;

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        ClstreamConfig c = config.load();
        if (!c.hasBootstrapServers()) {
            throw new IllegalArgumentException("produce needs bootstrap.servers (--bootstrap-servers), e.g. the address "
                    + "'clstream run' printed");
        }
        String target = topic != null ? topic : c.inputTopic();
        EventWriter writer = new EventWriter(c);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.streamsProperties().getProperty("bootstrap.servers"));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer());
             BufferedReader in = file != null ? Files.newBufferedReader(file, StandardCharsets.UTF_8)
                     : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                Event e = parse(line, sent);
                producer.send(new ProducerRecord<>(target, e.id.getBytes(StandardCharsets.UTF_8),
                        writer.encode(target, e.id, e.text, e.eventTime, e.attributes)));
                sent++;
            }
            producer.flush();
        }
        System.err.println("clstream produce: " + sent + " events to " + target + " (" + c.inputFormat() + ")");
        return 0;
    }

    private record Event(String id, String text, Long eventTime, Map<String, String> attributes) {}

    private Event parse(String line, long n) throws Exception {
        if (!line.stripLeading().startsWith("{")) {
            return new Event("line-" + (n + 1), line, System.currentTimeMillis(), Map.of());
        }
        JsonNode node = json.readTree(line);
        String id = node.hasNonNull("id") ? node.get("id").asText() : "line-" + (n + 1);
        Long time = node.hasNonNull("event_time") ? node.get("event_time").asLong() : System.currentTimeMillis();
        Map<String, String> attributes = new LinkedHashMap<>();
        node.path("attributes").fields().forEachRemaining(a -> attributes.put(a.getKey(), a.getValue().asText()));
        return new Event(id, node.path("text").asText(""), time, attributes);
    }
}
