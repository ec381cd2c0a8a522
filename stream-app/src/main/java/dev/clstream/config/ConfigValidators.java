package dev.clstream.config;

import dev.clstream.inference.ExecutionProvider;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** The checks of clstream's own keys that Kafka's {@link ConfigDef} has no ready validator for. */
final class ConfigValidators {
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private ConfigValidators() {}

    static ConfigDef.Validator topicName() {
        return (name, value) -> {
            if (value == null || !TOPIC.matcher(value.toString()).matches() || value.equals(".") || value.equals("..")) {
                throw new ConfigException(name, value, "a topic name: 1-249 of a-z A-Z 0-9 . _ -");
            }
        };
    }

    /** {@code inner}, or the empty string (a feature left off). */
    static ConfigDef.Validator emptyOr(ConfigDef.Validator inner) {
        return (name, value) -> {
            if (value != null && !value.toString().isEmpty()) {
                inner.ensureValid(name, value);
            }
        };
    }

    static ConfigDef.Validator bindAddress() {
        return (name, value) -> {
            String s = value == null ? "" : value.toString();
            if (!s.isEmpty() && !s.matches("[A-Za-z0-9.:%_-]+")) {
                throw new ConfigException(name, value, "an IP address or host name to listen on, e.g. 0.0.0.0, "
                        + "127.0.0.1 or ::; empty for the default");
            }
        };
    }

    static ConfigDef.Validator providerValidator() {
        return (name, value) -> {
            try {
                ExecutionProvider.parse(value == null ? null : value.toString());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, "allowed values: cpu, cuda, cuda:<device number>");
            }
        };
    }

    static ConfigDef.Validator nullOr(ConfigDef.Validator inner) {
        return (name, value) -> {
            if (value != null) {
                inner.ensureValid(name, value);
            }
        };
    }
}
