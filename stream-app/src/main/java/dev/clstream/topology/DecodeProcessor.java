package dev.clstream.topology;

import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.DecodeException;
import dev.clstream.event.InputDecoder;
import dev.clstream.event.InputEvent;
import dev.clstream.event.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes and validates each input record. Valid events go on to the batcher with their source
 * record; anything else (null value, undecodable bytes, unknown schema, missing, empty or too long
 * text) goes straight to the dead-letter topic with the reason and the original bytes.
 */
final class DecodeProcessor implements Processor<byte[], byte[], byte[], Object> {
    private final InputDecoder decoder;
    private final OutputWriter outputs;
    private final int textMaxBytes;
    private final PipelineListener listener;
    private ProcessorContext<byte[], Object> context;

    DecodeProcessor(InputDecoder decoder, OutputWriter outputs, int textMaxBytes, PipelineListener listener) {
        this.decoder = decoder;
        this.outputs = outputs;
        this.textMaxBytes = textMaxBytes;
        this.listener = listener;
    }

    @Override
    public void init(ProcessorContext<byte[], Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        listener.eventIn();
        RecordMetadata md = context.recordMetadata().orElseThrow();
        SourceRecord src = new SourceRecord(md.topic(), md.partition(), md.offset(), record.timestamp(), record.key(),
                record.value(), headers(record));
        if (record.value() == null) {
            outputs.deadLetter(context, src, DeadLetterReason.NULL_VALUE, "the record value is null");
            return;
        }
        InputEvent event;
        try {
            event = decoder.decode(md.topic(), record.key(), record.value());
        } catch (DecodeException e) {
            outputs.deadLetter(context, src, e.reason(), e.getMessage());
            return;
        }
        String text = event.text();
        if (text == null) {
            outputs.deadLetter(context, src, DeadLetterReason.MISSING_TEXT, "the event has no text");
            return;
        }
        if (text.isEmpty()) {
            outputs.deadLetter(context, src, DeadLetterReason.EMPTY_TEXT, "the event's text is empty");
            return;
        }
        int bytes = utf8Length(text);
        if (bytes > textMaxBytes) {
            outputs.deadLetter(context, src, DeadLetterReason.TEXT_TOO_LARGE, "the text has " + bytes
                    + " UTF-8 bytes, more than text.max.bytes = " + textMaxBytes);
            return;
        }
        String id = event.id() == null || event.id().isEmpty() ? fallbackId(src) : event.id();
        InputEvent withId = new InputEvent(id, text, event.eventTime(), event.attributes());
        context.forward(new Record<>(record.key(), (Object) new PendingEvent(src, withId, context.currentSystemTimeMs()),
                record.timestamp(), record.headers()), Topologies.BATCHER);
    }

    /** Events without an id are known by their key, or else by where they sit in the input topic. */
    private static String fallbackId(SourceRecord src) {
        if (src.key() != null && src.key().length > 0) {
            return new String(src.key(), StandardCharsets.UTF_8);
        }
        return src.position();
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static List<SourceRecord.Header> headers(Record<byte[], byte[]> record) {
        List<SourceRecord.Header> out = new ArrayList<>();
        for (Header h : record.headers()) {
            out.add(new SourceRecord.Header(h.key(), h.value()));
        }
        return out;
    }
}
