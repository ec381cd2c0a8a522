package dev.clstream.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.config.ClstreamConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.Stores;

/**
 * The label statistics topic: per one-minute tumbling event-time window, how many events got each label and their
 * mean score. Each task sees only its own input partitions, so a (window, label) gets its one total after a
 * repartition by label. What is repartitioned is each micro-batch's share ({@link LabelPartials}: one record per label
 * and window per micro-batch, written by the batcher's task in the transaction of its labels), not every labeled event
 * read back from the labels topic; the window store adds the shares up, so the totals are those of the events, counted
 * exactly once under {@code exactly_once_v2} like the rest.
 *
 * <p>Each record is keyed {@code label@window start} and is the window's total so far: a window is updated as its
 * shares arrive (once per commit, or more often when Streams' record cache is full), and the latest record per key is
 * the answer, so the topic can be compacted. Shares whose window ended more than {@link #GRACE} before the newest
 * event seen no longer change it.
 */
public final class LabelStatistics {
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final Duration GRACE = Duration.ofMinutes(1);
    public static final String STORE = "clstream-label-stats";
    /** The node the batcher forwards its micro-batches' shares to. */
    static final String PARTIALS = "label-stats-partials";
    /** Why a labeled event was left out of the statistics ({@code clstream_label_stats_skipped_total}). */
    static final String SKIPPED_NO_TIME = "no_time";
    static final String REPARTITION = "clstream-label-stats-by-label";
    /** How long the window store keeps a window: until its grace has passed. */
    static final Duration RETENTION = WINDOW.plus(GRACE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private LabelStatistics() {}

    /** Adds the statistics below {@code batcher}, whose micro-batches' shares reach them through {@link #PARTIALS}. */
    static void addTo(KStream<Object, Object> batcher, ClstreamConfig config, PipelineListener listener) {
        batcher.map((label, share) -> KeyValue.pair((String) label, (LabelWindowStats) share), Named.as(PARTIALS))
                .repartition(Repartitioned.with(Serdes.String(), LabelWindowStats.SERDE).withName(REPARTITION))
                // Read back from the repartition topic (read_committed under exactly-once): committed labels.
                .peek((label, share) -> listener.labelsCommitted(share.count()), Named.as("label-stats-committed"))
                .groupByKey(Grouped.with(Serdes.String(), LabelWindowStats.SERDE))
                .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW, GRACE))
                .aggregate(() -> LabelWindowStats.EMPTY, (label, share, total) -> total.plus(share),
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
}
