package dev.clstream.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.event.LabelFact;
import dev.clstream.event.OutputEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import dev.clstream.event.DecodeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The label statistics topic: per one-minute tumbling event-time window, how many events got each
 * label and their mean score. It is computed from the labels topic rather than inside the batcher
 * because each task sees only its own input partitions: reading the labels back lets Kafka Streams
 * repartition them by label, so every (window, label) has one total, counted exactly once under
 * {@code exactly_once_v2} like the rest.
 *
 * <p>Each record is keyed {@code label@window start} and is the window's total so far: a window is
 * updated as its events arrive (at most once per commit), and the latest record per key is the
 * answer, so the topic can be compacted. Events more than {@link #GRACE} behind the newest one seen
 * no longer change their (closed) window.
 */
public final class LabelStatistics {
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final Duration GRACE = Duration.ofMinutes(1);
    public static final String STORE = "clstream-label-stats";
    /** Why a record of the labels topic was left out of the statistics ({@code clstream_label_stats_skipped_total}). */
    static final String SKIPPED_NULL = "null_value";
    static final String SKIPPED_NOT_LABELED = "not_a_labeled_event";
    static final String SKIPPED_NO_TIME = "no_time";
    static final String REPARTITION = "clstream-label-stats-by-label";
    /** How long the window store keeps a window: until its grace has passed. */
    static final Duration RETENTION = WINDOW.plus(GRACE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private LabelStatistics() {}

    static void addTo(StreamsBuilder builder, ClstreamConfig config, OutputEncoder encoder, PipelineListener listener) {
        builder.stream(config.labelsTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("label-stats-source"))
                .process(() -> new FactProcessor(encoder, listener), Named.as("label-stats-facts"))
                .groupByKey(Grouped.with(REPARTITION, Serdes.String(), Serdes.Double()))
                .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW, GRACE))
                .aggregate(() -> LabelWindowStats.EMPTY, (label, score, stats) -> stats.add(score),
                        Named.as("label-stats-aggregate"),
                        // In memory and changelogged, like the batcher's store: a few minutes of counts per label.
                        Materialized.<String, LabelWindowStats>as(Stores.inMemoryWindowStore(STORE,
                                        RETENTION, WINDOW, false))
                                .withKeySerde(Serdes.String()).withValueSerde(LabelWindowStats.SERDE))
                .toStream(Named.as("label-stats-updates"))
                .map(LabelStatistics::record, Named.as("label-stats-json"))
                .to(config.labelStatsTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("label-stats-sink"));
    }

    private static KeyValue<byte[], byte[]> record(Windowed<String> window, LabelWindowStats stats) {
        String label = window.key();
        ObjectNode n = JSON.createObjectNode();
        n.put("label", label);
        n.put("window_start", window.window().start());
        n.put("window_end", window.window().end());
        n.put("count", stats.count());
        n.put("mean_confidence", stats.meanScore());
        try {
            return KeyValue.pair((label + "@" + Instant.ofEpochMilli(window.window().start()))
                    .getBytes(StandardCharsets.UTF_8), JSON.writeValueAsBytes(n));
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot write label statistics", e);
        }
    }

    /**
     * Labeled event to (label, score), stamped with its event time so that windows follow event
     * time (the record's own timestamp, the input's, when the event has none). A record that is no
     * labeled event is skipped and counted; a failure that is not the record's (the registry is
     * unreachable) is thrown, so the stream thread retries rather than leave a record uncounted.
     */
    private static final class FactProcessor implements Processor<byte[], byte[], String, Double> {
        private static final Logger LOG = LoggerFactory.getLogger(FactProcessor.class);
        private final OutputEncoder encoder;
        private final PipelineListener listener;
        private ProcessorContext<String, Double> context;

        FactProcessor(OutputEncoder encoder, PipelineListener listener) {
            this.encoder = encoder;
            this.listener = listener;
        }

        @Override
        public void init(ProcessorContext<String, Double> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            if (record.value() == null) {
                listener.labelStatsSkipped(SKIPPED_NULL);
                return;
            }
            LabelFact fact;
            try {
                fact = encoder.readLabeled(context.recordMetadata().map(m -> m.topic()).orElse(""), record.value());
            } catch (DecodeException e) {
                // Only clstream writes this topic; something else's record is not ours to count.
                LOG.warn("label statistics skip a record of the labels topic that is not a labeled event: {}",
                        e.getMessage());
                listener.labelStatsSkipped(SKIPPED_NOT_LABELED);
                return;
            }
            listener.labelCommitted();
            long time = fact.eventTime() != null ? fact.eventTime() : record.timestamp();
            if (time < 0) {
                listener.labelStatsSkipped(SKIPPED_NO_TIME); // no window to put it in: no timestamps before 1970
                return;
            }
            context.forward(new Record<>(fact.label(), fact.score(), time));
        }
    }
}
