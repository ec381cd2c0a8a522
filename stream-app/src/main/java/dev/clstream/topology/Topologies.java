package dev.clstream.topology;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.event.InputDecoder;
import dev.clstream.event.OutputEncoder;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.ServingEngine;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Builds the clstream topology; the app and the tests use the same method. */
public final class Topologies {
    public static final String SOURCE = "input";
    public static final String DECODER = "decode";
    public static final String BATCHER = "batch";
    public static final String LABELS_SINK = "labels";
    public static final String EMBEDDINGS_SINK = "embeddings";
    public static final String DEAD_LETTER_SINK = "dead-letters";
    public static final String PENDING_STORE = "clstream-pending-events";
    /**
     * What the batcher ({@link MicroBatchProcessor}) logs at start when it finds events an earlier instance of its
     * task left waiting in its store, group 1 their number: CrashSafetyIT and the restart bench read it from a log.
     */
    public static final Pattern RESTORED_EVENTS_LOG = Pattern.compile("task \\S+: (\\d+) events were waiting in "
            + "the micro-batch store");

    private Topologies() {}

    /** The topology with nobody listening to its work. */
    public static Topology build(ClstreamConfig config, InferenceEngine engine, InputDecoder decoder,
                                 OutputEncoder encoder) {
        return build(config, engine, decoder, encoder, PipelineListener.NONE);
    }

    /** The topology over one fixed engine, telling {@code listener} (metrics, the live page) about its work. */
    public static Topology build(ClstreamConfig config, InferenceEngine engine, InputDecoder decoder,
                                 OutputEncoder encoder, PipelineListener listener) {
        return build(config, ServingEngine.fixed(engine), decoder, encoder, listener);
    }

    /** The topology over the engine {@code serving} holds, which a new model version may replace while it runs. */
    public static Topology build(ClstreamConfig config, ServingEngine serving, InputDecoder decoder,
                                 OutputEncoder encoder, PipelineListener listener) {
        listener.modelServed(serving.current().manifest());
        OutputWriter outputs = new OutputWriter(config, encoder, serving, listener,
                new RecordLimits(config.maxRequestSize()));
        EventReader reader = new EventReader(decoder, config.textMaxBytes());
        Topology t;
        if (config.labelStatsEnabled()) {
            // 6. (A sub-topology of its own, from the labels topic: see LabelStatistics.) Built first because only
            // the DSL creates the repartition topic it needs; the processor nodes below are added to the same topology.
            StreamsBuilder builder = new StreamsBuilder();
            LabelStatistics.addTo(builder, config, encoder, listener);
            t = builder.build();
        } else {
            t = new Topology();
        }
        // 1. Read raw bytes: a record that cannot be decoded must still reach the dead-letter topic as it arrived.
        t.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), config.inputTopic());
        // 2. Decode and validate; failures go to the dead-letter sink, events to the batcher.
        t.addProcessor(DECODER, () -> new DecodeProcessor(reader, outputs, listener), SOURCE);
        // 3. Micro-batch through the encoder; waiting events live in a changelogged store (see MicroBatchProcessor).
        t.addProcessor(BATCHER, () -> new MicroBatchProcessor(serving, reader, config.microBatch(), outputs,
                PENDING_STORE, listener), DECODER);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_STORE), Serdes.Long(),
                new PendingEventCodec()).withLoggingEnabled(InternalTopics.PENDING_CHANGELOG_CONFIGS), BATCHER);
        // 4. Labeled events and [CLS] embeddings, each only when enabled.
        if (config.labelsEnabled()) {
            t.addSink(LABELS_SINK, config.labelsTopic(), Serdes.ByteArray().serializer(),
                    Serdes.ByteArray().serializer(), BATCHER);
        }
        if (config.embeddingsEnabled()) {
            t.addSink(EMBEDDINGS_SINK, config.embeddingsTopic(), Serdes.ByteArray().serializer(),
                    Serdes.ByteArray().serializer(), BATCHER);
        }
        // 5. Dead letters from both stages.
        t.addSink(DEAD_LETTER_SINK, config.deadLetterTopic(), Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer(), DECODER, BATCHER);
        return t;
    }
}
