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
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/** Builds the clstream topology; the app and the tests use the same method. */
public final class Topologies {
    public static final String SOURCE = "input";
    public static final String DECODER = "decode";
    public static final String BATCHER = "batch";
    public static final String LABELS_SINK = "labels";
    public static final String EMBEDDINGS_SINK = "embeddings";
    /** The node both the decoder and the batcher forward dead letters to; its sink is {@link #DEAD_LETTER_SINK}. */
    public static final String DEAD_LETTERS = "dead-letters";
    public static final String DEAD_LETTER_SINK = "dead-letters-sink";
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
        boolean labelStats = config.labelStatsEnabled();
        StreamsBuilder builder = new StreamsBuilder();
        // 1. Read raw bytes: a record that cannot be decoded must still reach the dead-letter topic as it arrived.
        KStream<byte[], byte[]> input = builder.stream(config.inputTopic(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(SOURCE));
        // 2. Decode and validate; failures go to the dead letters, events to the batcher (each by node name).
        KStream<Object, Object> decoded = input.process(() -> new DecodeProcessor(reader, outputs, listener),
                Named.as(DECODER));
        // 3. Micro-batch through the encoder; waiting events live in a changelogged store (see MicroBatchProcessor).
        // Cached: an event that joins and leaves between two commits (most do) leaves only its tombstone in the
        // changelog, not its record as well; what still waits at a commit is written before it.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_STORE), Serdes.Long(),
                new PendingEventCodec()).withLoggingEnabled(InternalTopics.PENDING_CHANGELOG_CONFIGS)
                .withCachingEnabled());
        KStream<byte[], PendingEvent> pending = typed(decoded);
        KStream<Object, Object> batched = pending.process(() -> new MicroBatchProcessor(serving, reader,
                config.microBatch(), outputs, PENDING_STORE, labelStats, listener), Named.as(BATCHER), PENDING_STORE);
        KStream<byte[], byte[]> outputRecords = typed(batched);
        // 4. Labeled events and [CLS] embeddings, each only when enabled.
        if (config.labelsEnabled()) {
            outputRecords.to(config.labelsTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                    .withName(LABELS_SINK));
        }
        if (config.embeddingsEnabled()) {
            outputRecords.to(config.embeddingsTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                    .withName(EMBEDDINGS_SINK));
        }
        // 5. Dead letters from both stages, through one node that both forward them to.
        KStream<byte[], byte[]> deadLetters = typed(decoded.merge(batched, Named.as(DEAD_LETTERS)));
        deadLetters.to(config.deadLetterTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                .withName(DEAD_LETTER_SINK));
        // 6. Label statistics from each micro-batch's counts per label and window (see LabelStatistics).
        if (labelStats) {
            LabelStatistics.addTo(batched, config, listener);
        }
        return builder.build();
    }

    /**
     * The processors forward records of several types, each by name to the node that takes that type (see
     * OutputWriter), so the stream below them is given its type where it reaches that node.
     */
    @SuppressWarnings("unchecked")
    private static <K, V> KStream<K, V> typed(KStream<?, ?> stream) {
        return (KStream<K, V>) stream;
    }
}
