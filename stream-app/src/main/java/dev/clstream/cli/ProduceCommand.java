package dev.clstream.cli;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.DecodeException;
import dev.clstream.event.InputEvent;
import dev.clstream.format.JsonTextEvents;
import dev.clstream.format.TextEventEncoder;
import dev.clstream.serde.SchemaRegistryClients;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
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
 * {@code clstream produce}: text events from a file or stdin to the input topic, in the configured
 * {@code input.format}. Each line is a JSON text event ({@link JsonTextEvents}: {@code id},
 * {@code text}, optional {@code event_time} and {@code attributes}) or, if it does not start with
 * '{', the text itself. Events without an id are {@code line-N}; without an event time, now. A line
 * that is not a text event is reported on stderr and skipped, and the exit status becomes 1.
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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ClstreamConfig c = config.load();
        if (!c.hasBootstrapServers()) {
            throw new IllegalArgumentException("produce needs bootstrap.servers (--bootstrap-servers), e.g. the address "
                    + "'clstream run' printed");
        }
        String target = topic != null ? topic : c.inputTopic();
        TextEventEncoder encoder = c.inputFormat().encoder(c.inputFormat().needsRegistry()
                ? SchemaRegistryClients.create(c.registry()) : null, c.registry().autoRegister());
        Properties p = c.producerProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        PrintWriter err = spec.commandLine().getErr();
        long sent = 0;
        long refused = 0;
        long lineNumber = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer());
             BufferedReader in = file != null ? Files.newBufferedReader(file, StandardCharsets.UTF_8)
                     : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                InputEvent e;
                try {
                    e = parse(line, lineNumber);
                } catch (DecodeException ex) {
                    err.println("clstream produce: line " + lineNumber + " skipped (" + ex.reason().code() + "): "
                            + ex.getMessage());
                    refused++;
                    continue;
                }
                producer.send(new ProducerRecord<>(target, e.id().getBytes(StandardCharsets.UTF_8),
                        encoder.encode(target, e)));
                sent++;
            }
            producer.flush();
        }
        err.println("clstream produce: " + sent + " events to " + target + " (" + c.inputFormat().code() + ")"
                + (refused == 0 ? "" : "; " + refused + " lines skipped"));
        err.flush();
        return refused == 0 ? 0 : 1;
    }

    /** The line's event, with the defaults filled in. */
    static InputEvent parse(String line, long lineNumber) {
        String id = "line-" + lineNumber;
        if (!line.stripLeading().startsWith("{")) {
            return new InputEvent(id, line, System.currentTimeMillis(), Map.of());
        }
        InputEvent e = JsonTextEvents.parse(line);
        if (e.text() == null) {
            throw new DecodeException(DeadLetterReason.MISSING_TEXT, "the event has no \"text\"");
        }
        return new InputEvent(e.id() != null ? e.id() : id, e.text(),
                e.eventTime() != null ? e.eventTime() : System.currentTimeMillis(), e.attributes());
    }
}
