package dev.clstream.format;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads a record of an output topic as a JSON tree, whatever its {@link OutputFormat}: what {@code tail} prints. */
@FunctionalInterface
public interface OutputJsonReader {
    JsonNode read(String topic, byte[] value);
}
