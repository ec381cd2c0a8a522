package dev.clstream.topology;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.inference.ServingEngine;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.event.DeadLetterOutput;
import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.EmbeddingOutput;
import dev.clstream.event.HeadLabel;
import dev.clstream.event.InputEvent;
import dev.clstream.event.LabelOutput;
import dev.clstream.event.OutputEncoder;
import dev.clstream.event.SourceRecord;
import dev.clstream.inference.Classification;
import dev.clstream.inference.Prediction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Forwards a processed event's outputs to the sink nodes: the labeled event and the [CLS]
 * embedding (each when enabled), or a dead letter. Keys, timestamps and headers of the input are
 * kept; the name and version of the model that computed them are added as headers. Every record is sized before it is
 * sent ({@link RecordLimits}): outputs that would be too large make a {@code too_large} dead letter
 * instead, and a dead letter too large to write is cut to fit, saying what was cut.
 */
final class OutputWriter {
    static final String MODEL_NAME_HEADER = "clstream.model.name";
    static final String MODEL_VERSION_HEADER = "clstream.model.version";
    static final String REASON_HEADER = "clstream.dead.letter.reason";
    /** Room kept free under the limit when cutting a dead letter, for what the size of a cut value changes besides it. */
    private static final int CUT_SLACK = 64;

    private final ClstreamConfig config;
    private final OutputEncoder encoder;
    private final ServingEngine serving;
    private final PipelineListener listener;
    private final RecordLimits limits;

    OutputWriter(ClstreamConfig config, OutputEncoder encoder, ServingEngine serving, PipelineListener listener,
                 RecordLimits limits) {
        this.config = config;
        this.encoder = encoder;
        this.serving = serving;
        this.listener = listener;
        this.limits = limits;
    }

    RecordLimits limits() {
        return limits;
    }

    /**
     * The outputs of {@code p}, which {@code model} (the version that ran this micro-batch) computed; true when a
     * labeled event was among them (the label statistics count it).
     */
    boolean success(ProcessorContext<Object, Object> context, PendingEvent pending, Prediction p,
                    BundleManifest model) {
        SourceRecord src = pending.source();
        InputEvent e = pending.event();
        long now = context.currentSystemTimeMs();
        Classification c = p.classification();
        byte[] label = config.labelsEnabled() && c != null ? encoder.labeled(config.labelsTopic(),
                labelOutput(e, p, model, now)) : null;
        byte[] embedding = config.embeddingsEnabled() ? encoder.embedding(config.embeddingsTopic(), new EmbeddingOutput(
                e.id(), model.name(), model.version(), p.embedding(), e.eventTime(), p.windows(),
                model.text().poolingName())) : null;
        Headers headers = headers(src.headers(), null, model);
        String tooLarge = tooLarge("labels", src, label, headers);
        tooLarge = tooLarge != null ? tooLarge : tooLarge("embeddings", src, embedding, headers);
        if (tooLarge != null) {
            deadLetter(context, src, DeadLetterReason.TOO_LARGE, tooLarge, model);
            return false;
        }
        if (c != null) {
            listener.classified(model.id(), e.id(), e.text(), c.label(), c.score());
        }
        if (p.truncated()) {
            listener.truncated();
        }
        if (label != null) {
            context.forward(new Record<>(src.key(), label, src.timestamp(), headers), Topologies.LABELS_SINK);
            listener.eventOut(PipelineListener.Output.LABELS);
        }
        if (embedding != null) {
            context.forward(new Record<>(src.key(), embedding, src.timestamp(), headers(src.headers(), null, model)),
                    Topologies.EMBEDDINGS_SINK);
            listener.eventOut(PipelineListener.Output.EMBEDDINGS);
        }
        listener.processed(pending.time(), now);
        return label != null;
    }

    /**
     * The labeled event: the primary head's result and, for a bundle with named heads, every head's (the engine
     * computes them in the bundle's head order), the primary's the same object in both places.
     */
    private static LabelOutput labelOutput(InputEvent e, Prediction p, BundleManifest model, long now) {
        List<HeadLabel> named = new ArrayList<>(model.namedHeads().size());
        for (int h = 0; h < model.namedHeads().size(); h++) {
            Classification c = p.heads().get(h);
            named.add(new HeadLabel(model.heads().get(h).name(), c.label(), c.score(), c.labels(), c.probabilities()));
        }
        Classification c = p.classification();
        HeadLabel primary = named.isEmpty() ? new HeadLabel(model.heads().get(0).name(), c.label(), c.score(),
                c.labels(), c.probabilities()) : named.get(0);
        return new LabelOutput(e.id(), primary, named, model.name(), model.version(), p.tokens(), p.truncated(),
                e.eventTime(), now);
    }

    private String tooLarge(String output, SourceRecord src, byte[] value, Headers headers) {
        if (value == null || limits.fits(src.key(), value, headers)) {
            return null;
        }
        return "the " + output + " record would be " + limits.size(src.key(), value, headers) + " bytes with the "
                + "input's key (" + (src.key() == null ? 0 : src.key().length) + " bytes) and headers, over "
                + "max.request.size = " + limits.maxRecordBytes();
    }

    /** A dead letter from before the model ran (decoding), named after the version serving now. */
    void deadLetter(ProcessorContext<Object, Object> context, SourceRecord src, DeadLetterReason reason,
                    String message) {
        deadLetter(context, src, reason, message, serving.current().manifest());
    }

    /** A dead letter from a micro-batch that {@code model} ran. */
    void deadLetter(ProcessorContext<Object, Object> context, SourceRecord src, DeadLetterReason reason,
                    String message, BundleManifest model) {
        long now = context.currentSystemTimeMs();
        boolean modelInvolved = reason.stage().involvesModel();
        String name = modelInvolved ? model.name() : null;
        String version = modelInvolved ? model.version() : null;
        byte[] key = src.key();
        Headers headers = headers(src.headers(), reason, model);
        String topic = config.deadLetterTopic();
        DeadLetterOutput out = new DeadLetterOutput(reason, message, src.topic(), src.partition(), src.offset(),
                src.key(), src.value(), now, name, version);
        byte[] value = encoder.deadLetter(topic, out);
        if (!limits.fits(key, value, headers)) {
            // Too large to write as it is: keep as much of the original value as fits, then give up the original key,
            // the copied headers and the record key, in that order, saying so.
            int total = src.value() == null ? 0 : src.value().length;
            byte[] kept = cut(key, headers, out);
            String what = kept.length == 0 ? "original value of " + total + " bytes left out"
                    : "original value of " + total + " bytes cut to its first " + kept.length + " bytes";
            String note = " (" + what + " to fit max.request.size = " + limits.maxRecordBytes() + ")";
            out = new DeadLetterOutput(reason, message + note, src.topic(), src.partition(), src.offset(), src.key(),
                    kept.length == 0 ? null : kept, now, name, version);
            value = encoder.deadLetter(topic, out);
            if (!limits.fits(key, value, headers)) {
                out = new DeadLetterOutput(reason, message + note + "; original key of " + (src.key() == null ? 0
                        : src.key().length) + " bytes left out (it is the record's key)", src.topic(), src.partition(),
                        src.offset(), null, null, now, name, version);
                value = encoder.deadLetter(topic, out);
            }
            if (!limits.fits(key, value, headers)) {
                out = new DeadLetterOutput(reason, out.message() + "; the input's headers and the record key left out "
                        + "as well", src.topic(), src.partition(), src.offset(), null, null, now, name, version);
                value = encoder.deadLetter(topic, out);
                key = null;
                headers = headers(List.of(), reason, model);
            }
            message = out.message();
        }
        context.forward(new Record<>(key, value, src.timestamp(), headers), Topologies.DEAD_LETTERS);
        listener.deadLetter(reason, message, src.position());
    }

    /**
     * The longest prefix of the original value with which the dead letter fits: the encoding's cost per
     * original byte is measured (base64 in JSON costs 4/3), then the prefix is shortened until it fits.
     */
    private byte[] cut(byte[] key, Headers headers, DeadLetterOutput full) {
        byte[] original = full.originalValue();
        if (original == null || original.length == 0) {
            return new byte[0];
        }
        String topic = config.deadLetterTopic();
        int without = limits.size(key, encoder.deadLetter(topic, withValue(full, null)), headers);
        int with = limits.size(key, encoder.deadLetter(topic, full), headers);
        double perByte = (double) (with - without) / original.length;
        int room = limits.maxRecordBytes() - without - CUT_SLACK - 200;
        int length = room <= 0 ? 0 : (int) Math.min(original.length, Math.floor(room / Math.max(perByte, 1e-9)));
        while (length > 0) {
            byte[] prefix = Arrays.copyOf(original, length);
            if (limits.fits(key, encoder.deadLetter(topic, withValue(full, prefix)), headers)) {
                return prefix;
            }
            length = (int) (length * 0.9);
        }
        return new byte[0];
    }

    private static DeadLetterOutput withValue(DeadLetterOutput d, byte[] value) {
        return new DeadLetterOutput(d.reason(), d.message() + " (original value of " + d.originalValue().length
                + " bytes cut to its first " + (value == null ? 0 : value.length) + " bytes to fit max.request.size = "
                + Integer.MAX_VALUE + ")", d.sourceTopic(), d.sourcePartition(), d.sourceOffset(), d.originalKey(),
                value, d.failedTime(), d.modelName(), d.modelVersion());
    }

    /** The input's headers, the model's name and version, and the dead letter's reason when there is one. */
    private static Headers headers(List<SourceRecord.Header> input, DeadLetterReason reason, BundleManifest model) {
        Headers headers = new RecordHeaders();
        for (SourceRecord.Header h : input) {
            headers.add(h.key(), h.value());
        }
        headers.add(MODEL_NAME_HEADER, model.name().getBytes(StandardCharsets.UTF_8));
        headers.add(MODEL_VERSION_HEADER, model.version().getBytes(StandardCharsets.UTF_8));
        if (reason != null) {
            headers.add(REASON_HEADER, reason.code().getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }
}
