package dev.clstream.topology;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.event.DeadLetterOutput;
import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.EmbeddingOutput;
import dev.clstream.event.InputEvent;
import dev.clstream.event.LabelOutput;
import dev.clstream.event.OutputEncoder;
import dev.clstream.event.SourceRecord;
import dev.clstream.inference.Classification;
import dev.clstream.inference.Prediction;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Forwards a processed event's outputs to the sink nodes: the labeled event and the [CLS]
 * embedding (each when enabled), or a dead letter. Keys, timestamps and headers of the input are
 * kept; the model's name and version are added as headers.
 */
final class OutputWriter {
    static final String MODEL_NAME_HEADER = "clstream.model.name";
    static final String MODEL_VERSION_HEADER = "clstream.model.version";
    static final String REASON_HEADER = "clstream.dead.letter.reason";
    /**
     * Original values above this are left out of dead letters: with the record's other fields they
     * would pass Kafka's default 1 MB message limit, and a dead letter that cannot be written would
     * stop the stream thread. The message says so and gives the size.
     */
    static final int MAX_ORIGINAL_VALUE_BYTES = 900 * 1024;

    private final ClstreamConfig config;
    private final OutputEncoder encoder;
    private final BundleManifest model;
    private final PipelineListener listener;

    OutputWriter(ClstreamConfig config, OutputEncoder encoder, BundleManifest model, PipelineListener listener) {
        this.config = config;
        this.encoder = encoder;
        this.model = model;
        this.listener = listener;
    }

    void success(ProcessorContext<byte[], Object> context, PendingEvent pending, Prediction p) {
        SourceRecord src = pending.source();
        InputEvent e = pending.event();
        long now = context.currentSystemTimeMs();
        if (p.classification() != null) {
            listener.classified(e.id(), e.text(), p.classification().label(), p.classification().score());
        }
        if (p.truncated()) {
            listener.truncated();
        }
        if (config.labelsEnabled() && p.classification() != null) {
            Classification c = p.classification();
            LabelOutput out = new LabelOutput(e.id(), c.label(), c.score(), c.labels(), c.probabilities(), model.name(),
                    model.version(), p.tokens(), p.truncated(), e.eventTime(), now);
            forward(context, src, encoder.labeled(config.labelsTopic(), out), Topologies.LABELS_SINK, null);
            listener.eventOut(PipelineListener.Output.LABELS);
        }
        if (config.embeddingsEnabled()) {
            EmbeddingOutput out = new EmbeddingOutput(e.id(), model.name(), model.version(), p.embedding(),
                    e.eventTime());
            forward(context, src, encoder.embedding(config.embeddingsTopic(), out), Topologies.EMBEDDINGS_SINK, null);
            listener.eventOut(PipelineListener.Output.EMBEDDINGS);
        }
        listener.processed(e.eventTime() != null ? e.eventTime() : src.timestamp(), now);
    }

    void deadLetter(ProcessorContext<byte[], Object> context, SourceRecord src, DeadLetterReason reason,
                    String message) {
        byte[] value = src.value();
        String text = message;
        if (value != null && value.length > MAX_ORIGINAL_VALUE_BYTES) {
            text = message + " (original value of " + value.length + " bytes left out: over "
                    + MAX_ORIGINAL_VALUE_BYTES + " bytes)";
            value = null;
        }
        boolean modelInvolved = reason.stage().involvesModel();
        DeadLetterOutput out = new DeadLetterOutput(reason, text, src.topic(), src.partition(), src.offset(),
                src.key(), value, context.currentSystemTimeMs(), modelInvolved ? model.name() : null,
                modelInvolved ? model.version() : null);
        forward(context, src, encoder.deadLetter(config.deadLetterTopic(), out), Topologies.DEAD_LETTER_SINK, reason);
        listener.deadLetter(reason, text, src.position());
    }

    private void forward(ProcessorContext<byte[], Object> context, SourceRecord src, byte[] value, String sink,
                         DeadLetterReason reason) {
        Headers headers = new RecordHeaders();
        for (SourceRecord.Header h : src.headers()) {
            headers.add(h.key(), h.value());
        }
        headers.add(MODEL_NAME_HEADER, model.name().getBytes(StandardCharsets.UTF_8));
        headers.add(MODEL_VERSION_HEADER, model.version().getBytes(StandardCharsets.UTF_8));
        if (reason != null) {
            headers.add(REASON_HEADER, reason.code().getBytes(StandardCharsets.UTF_8));
        }
        context.forward(new Record<>(src.key(), value, src.timestamp(), headers), sink);
    }
}
