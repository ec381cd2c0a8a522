package dev.clstream.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.event.InputDecoder;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.ServingEngine;
import dev.clstream.serde.SchemaRegistryClient;
import dev.clstream.serde.SchemaRegistryClients;
import dev.clstream.topology.PipelineListener;
import dev.clstream.topology.Topologies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The real topology (the app's {@link Topologies#build}) on a {@link TopologyTestDriver}: a
 * configuration (JSON in and out unless set otherwise, a dummy cluster), the decoder and encoder
 * its formats select (one registry client when a format speaks Avro), the input topic and the
 * output topics. One per test; close it.
 */
public final class TopologyFixture implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public final ClstreamConfig config;
    public final TopologyTestDriver driver;
    public final TestInputTopic<byte[], byte[]> input;
    private final Topology topology;
    private final SchemaRegistryClient registry;

    private TopologyFixture(ClstreamConfig config, SchemaRegistryClient registry, Topology topology, Instant start) {
        this.config = config;
        this.registry = registry;
        this.topology = topology;
        this.driver = new TopologyTestDriver(topology, config.streamsProperties(), start);
        this.input = driver.createInputTopic(config.inputTopic(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The tiny test model, one encoder run at a time (so outputs come in a fixed order), at most {@code runSize} texts per run. */
    public static InferenceEngine tinyEngine(Path dir, int runSize) {
        return InferenceEngine.open(TestBundles.tiny(dir.resolve("tiny")), EncoderOptions.builder().concurrency(1)
                .maxTextsPerRun(runSize).build());
    }

    public static Builder over(InferenceEngine engine) {
        return new Builder(ServingEngine.fixed(engine));
    }

    /** Over the engine {@code serving} holds, which the test may swap for another version. */
    public static Builder over(ServingEngine serving) {
        return new Builder(serving);
    }

    public static final class Builder {
        private final ServingEngine serving;
        private final Map<String, String> settings = new HashMap<>(Map.of(
                ClstreamConfig.INPUT_FORMAT, "json", ClstreamConfig.OUTPUT_FORMAT, "json",
                "bootstrap.servers", "dummy:9092", "application.id", "topology-test"));
        private InputDecoder decoder;
        private PipelineListener listener = PipelineListener.NONE;
        private Instant start = Instant.now();
        private UnaryOperator<SchemaRegistryClient> registryWrapper = UnaryOperator.identity();

        private Builder(ServingEngine serving) {
            this.serving = serving;
        }

        /** Configuration keys, as pairs: key, value, key, value... */
        public Builder set(String... keyValues) {
            for (int i = 0; i < keyValues.length; i += 2) {
                settings.put(keyValues[i], keyValues[i + 1]);
            }
            return this;
        }

        public Builder set(Map<String, String> more) {
            settings.putAll(more);
            return this;
        }

        /** Another decoder than the one {@code input.format} selects. */
        public Builder decoder(InputDecoder decoder) {
            this.decoder = decoder;
            return this;
        }

        public Builder listener(PipelineListener listener) {
            this.listener = listener;
            return this;
        }

        /** The registry client the formats use, wrapped (to fail it, say). */
        public Builder registry(UnaryOperator<SchemaRegistryClient> wrapper) {
            this.registryWrapper = wrapper;
            return this;
        }

        /** The driver's wall clock at start. */
        public Builder start(Instant start) {
            this.start = start;
            return this;
        }

        public TopologyFixture build() {
            ClstreamConfig config = ClstreamConfig.of(settings);
            SchemaRegistryClient registry = config.needsRegistry()
                    ? registryWrapper.apply(SchemaRegistryClients.create(config.registry())) : null;
            InputDecoder in = decoder != null ? decoder : config.inputFormat().decoder(registry);
            Topology topology = Topologies.build(config, serving, in,
                    config.outputFormat().encoder(registry, config.registry().autoRegister()), listener);
            return new TopologyFixture(config, registry, topology, start);
        }
    }

    /** The topology under test (for {@code describe()}). */
    public Topology topology() {
        return topology;
    }

    /** The registry client of the Avro formats; null when neither format speaks Avro. */
    public SchemaRegistryClient registry() {
        return registry;
    }

    /** A record to the input topic, key and value as UTF-8 (either may be null). */
    public void send(String key, String value) {
        input.pipeInput(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    public TestOutputTopic<byte[], byte[]> output(String topic) {
        return driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public TestOutputTopic<byte[], byte[]> labels() {
        return output(config.labelsTopic());
    }

    public TestOutputTopic<byte[], byte[]> embeddings() {
        return output(config.embeddingsTopic());
    }

    public TestOutputTopic<byte[], byte[]> deadLetters() {
        return output(config.deadLetterTopic());
    }

    public TestOutputTopic<byte[], byte[]> labelStats() {
        return output(config.labelStatsTopic());
    }

    /** A JSON output record's value, parsed. */
    public static JsonNode json(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(value, StandardCharsets.UTF_8), e);
        }
    }

    @Override
    public void close() {
        driver.close();
    }
}
