package dev.clstream.cli;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.config.ConfigSources;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where a command's configuration comes from: a properties file, CLSTREAM_* environment variables,
 * then --set KEY=VALUE flags (later sources win). Kafka Streams and client keys pass through.
 */
final class ConfigOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Properties file (default: $CLSTREAM_CONFIG if set)")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Set a configuration key; repeatable; wins over the file and the environment")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...",
            description = "Kafka cluster; without it clstream starts an embedded single-node broker")
    String bootstrapServers;

    @Option(names = "--bundle", paramLabel = "DIR|NAME", description = "Model bundle (default: the built-in one)")
    String bundle;

    ClstreamConfig load() {
        return load(Map.of());
    }

    /** The merged configuration; {@code defaults} sit under every source (a command's own defaults). */
    ClstreamConfig load(Map<String, String> defaults) {
        Map<String, String> cli = new LinkedHashMap<>(settings);
        if (bootstrapServers != null) {
            cli.put("bootstrap.servers", bootstrapServers);
        }
        if (bundle != null) {
            cli.put(ClstreamConfig.MODEL_BUNDLE, bundle);
        }
        String envFile = System.getenv("CLSTREAM_CONFIG");
        Path source = file != null ? file : envFile == null || envFile.isBlank() ? null : Path.of(envFile);
        Map<String, String> merged = new LinkedHashMap<>(defaults);
        merged.putAll(ConfigSources.merge(source, System.getenv(), cli));
        return ClstreamConfig.of(merged);
    }
}
