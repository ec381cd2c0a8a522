package dev.clstream.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * Merges the configuration sources, later ones winning: a properties file, then environment
 * variables ({@code CLSTREAM_BATCH_MAX_SIZE=64} sets {@code batch.max.size}), then command-line
 * settings. Every key, from every source, then goes through {@link ClstreamConfig#of}.
 */
public final class ConfigSources {
    static final String ENV_PREFIX = "CLSTREAM_";
    /** Variables the launcher and logging read themselves; they are not configuration keys. */
    static final Set<String> NOT_KEYS = Set.of("CLSTREAM_BUNDLES_DIR", "CLSTREAM_JAVA_OPTS", "CLSTREAM_LOG_LEVEL",
            "CLSTREAM_CONFIG");

    private ConfigSources() {}

    public static Map<String, String> merge(Path file, Map<String, String> env, Map<String, String> cli) {
        Map<String, String> merged = new TreeMap<>();
        if (file != null) {
            merged.putAll(fromFile(file));
        }
        merged.putAll(fromEnv(env));
        merged.putAll(cli);
        return merged;
    }

    public static Map<String, String> fromFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k.trim(), p.getProperty(k).trim()));
        return out;
    }

    public static Map<String, String> fromEnv(Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && !NOT_KEYS.contains(name) && name.length() > ENV_PREFIX.length()) {
                out.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return out;
    }
}
