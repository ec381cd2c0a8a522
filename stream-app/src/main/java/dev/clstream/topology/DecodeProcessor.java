package dev.clstream.topology;

import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.SourceRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Reads and validates each input record ({@link EventReader}). Valid events go on to the batcher
 * with their source record; anything else (null value, undecodable bytes, unknown schema, missing,
 * empty or too long text, a record too large to wait in the batcher's store) goes straight to the
 * dead-letter topic with the reason and the original bytes.
 */
final class DecodeProcessor implements Processor<byte[], byte[], Object, Object> {
    private final EventReader reader;
    private final OutputWriter outputs;
    private final PipelineListener listener;
    private ProcessorContext<Object, Object> context;

    DecodeProcessor(EventReader reader, OutputWriter outputs, PipelineListener listener) {
        this.reader = reader;
        this.outputs = outputs;
        this.listener = listener;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        listener.eventIn();
        RecordMetadata md = context.recordMetadata().orElseThrow();
        SourceRecord src = new SourceRecord(md.topic(), md.partition(), md.offset(), record.timestamp(), record.key(),
                record.value(), headers(record));
        EventReader.Read read = reader.read(src);
        if (read.refused() != null) {
            outputs.deadLetter(context, src, read.refused(), read.message());
            return;
        }
        String tooLarge = outputs.limits().storeEntryTooLarge(src);
        if (tooLarge != null) {
            outputs.deadLetter(context, src, DeadLetterReason.TOO_LARGE, tooLarge);
            return;
        }
        context.forward(new Record<>(record.key(), (Object) new PendingEvent(src, read.event(),
                context.currentSystemTimeMs()), record.timestamp(), record.headers()), Topologies.BATCHER);
    }

    private static List<SourceRecord.Header> headers(Record<byte[], byte[]> record) {
        List<SourceRecord.Header> out = new ArrayList<>();
        for (Header h : record.headers()) {
            out.add(new SourceRecord.Header(h.key(), h.value()));
        }
        return out;
    }
}
