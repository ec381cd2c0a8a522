package dev.clstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.bundle.BuiltInBundles;
import dev.clstream.cli.DemoFeeder.Message;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.runtime.ClstreamRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
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
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    @Mixin
    ConfigOptions config;

    @Option(names = "--data", paramLabel = "FILE",
            description = "JSON lines (.gz) with id, text and label (default: the held-out split built with the bundles)")
    Path data;

    @Option(names = "--count", defaultValue = "0",
            description = "Print exactly this many labeled events, then the summary (0: run until Ctrl-C). "
                    + "Default: ${DEFAULT-VALUE}")
    long count;

    @Option(names = "--rate", defaultValue = "auto", converter = DemoPace.Converter.class, paramLabel = "auto|max|N",
            description = "How fast to feed: auto measures what this machine sustains during the first seconds and "
                    + "feeds at 70%% of it, so the latency shown is the app's; N events per second; max feeds a "
                    + "backlog as fast as the producer goes. Default: ${DEFAULT-VALUE}")
    DemoPace pace;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of the order the messages are fed in (interleaved so that every stretch holds each "
                    + "label in about its share). Default: ${DEFAULT-VALUE}")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (count < 0) {
            throw new IllegalArgumentException("--count must be 0 (no limit) or more, got " + count);
        }
        List<Message> messages = DemoFeeder.interleaved(read(data != null ? data : defaultData()), seed);
        ClstreamConfig requested = config.load();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter status = spec.commandLine().getErr();
        ShutdownSignal signal = ShutdownSignal.install();
        try (ClstreamRuntime runtime = ClstreamRuntime.start(requested)) {
            ClstreamConfig c = runtime.config();
            out.printf("clstream demo: model %s, Kafka at %s, %d held-out messages; %s; Ctrl-C to stop%n",
                    runtime.engine().manifest().id(), runtime.bootstrapServers(), messages.size(), pace.describe());
            runtime.httpUrl().ifPresent(url -> out.printf("live page: %s/ (throughput, latency, labels, dead letters, "
                    + "low-confidence events)%n", url));
            out.flush();
            // Fed only once Streams runs, so that no event's latency includes the start-up.
            if (!runtime.awaitRunning(START_TIMEOUT)) {
                throw new IllegalStateException("Kafka Streams is not RUNNING " + START_TIMEOUT.toSeconds()
                        + " s after start-up (" + runtime.streams().state() + ")");
            }
            long window = Math.max(16, 2L * c.microBatch().maxEvents());
            try (DemoFeeder feeder = new DemoFeeder(c, messages, pace.initialRate(), window);
                 OutputReader labels = new OutputReader(c, c.labelsTopic());
                 OutputReader deadLetters = new OutputReader(c, c.deadLetterTopic())) {
                feeder.start();
                DemoReport report = new DemoReport(out, status, feeder::produced, pace.auto());
                try {
                    while (!signal.requested() && !done(report)) {
                        for (JsonNode label : labels.poll(200)) {
                            if (done(report)) {
                                break;
                            }
                            Message m = feeder.message(label.path("id").asText());
                            report.labeled(label, m == null ? null : m.label(), m == null ? "" : m.text());
                        }
                        report.deadLetters(deadLetters.poll(0).size());
                        long answered = report.labeled() + report.deadLetterCount();
                        feeder.answered(answered);
                        pace.observe(answered, System.nanoTime()).ifPresent(rate -> {
                            feeder.rate(rate);
                            report.restartLatencies(String.format(Locale.ROOT, "sustained %.1f events/s; feeding "
                                    + "at %.1f events/s from now on", rate / DemoPace.AUTO_SHARE, rate));
                        });
                        report.tick();
                    }
                } finally {
                    report.summary();
                }
            }
        } finally {
            signal.closed();
        }
        return 0;
    }

    private boolean done(DemoReport report) {
        return count > 0 && report.labeled() >= count;
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

}
