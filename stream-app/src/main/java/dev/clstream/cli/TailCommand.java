package dev.clstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clstream.config.ClstreamConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code clstream tail}: labels, embeddings or dead letters as JSON lines (committed records only). */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print an output topic as JSON lines: labels, embeddings or dead-letters (read_committed).")
final class TailCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Parameters(index = "0", paramLabel = "labels|embeddings|dead-letters")
    String which;

    @Option(names = "--from-beginning", description = "Start at the earliest offset instead of the end")
    boolean fromBeginning;

    @Option(names = "--max", description = "Stop after this many records")
    Long max;

    @Option(names = "--idle-timeout", defaultValue = "0",
            description = "Stop after this many seconds without a record (0: never). Default: ${DEFAULT-VALUE}")
    long idleSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ClstreamConfig c = config.load();
        String topic = switch (which) {
            case "labels" -> c.labelsTopic();
            case "embeddings" -> c.embeddingsTopic();
            case "dead-letters" -> c.deadLetterTopic();
            default -> throw new IllegalArgumentException("tail takes labels, embeddings or dead-letters, got '"
                    + which + "'");
        };
        PrintWriter out = spec.commandLine().getOut();
        long seen = 0;
        long lastRecord = System.nanoTime();
        try (OutputReader reader = new OutputReader(c, topic, fromBeginning)) {
            while (max == null || seen < max) {
                for (JsonNode n : reader.poll(500)) {
                    out.println(n);
                    lastRecord = System.nanoTime();
                    if (max != null && ++seen >= max) {
                        break;
                    }
                }
                out.flush();
                if (idleSeconds > 0 && System.nanoTime() - lastRecord > idleSeconds * 1_000_000_000L) {
                    break;
                }
            }
        }
        return 0;
    }
}
