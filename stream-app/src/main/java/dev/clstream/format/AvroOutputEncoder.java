package dev.clstream.format;

import dev.clstream.avro.ClsEmbedding;
import dev.clstream.avro.DeadLetter;
import dev.clstream.avro.HeadLabel;
import dev.clstream.avro.LabelProbability;
import dev.clstream.avro.LabeledEvent;
import dev.clstream.event.DeadLetterOutput;
import dev.clstream.event.EmbeddingOutput;
import dev.clstream.event.LabelOutput;
import dev.clstream.event.OutputEncoder;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import dev.clstream.serde.AvroSerializer;
import dev.clstream.serde.SchemaRegistryClient;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * {@code output.format=avro}: the generated classes of schemas/, in Confluent wire format, with
 * their schemas registered (or looked up) under TopicNameStrategy subjects ({@code <topic>-value}).
 */
public final class AvroOutputEncoder implements OutputEncoder {
    private final AvroSerializer<SpecificRecordBase> serializer;

    public AvroOutputEncoder(SchemaRegistryClient registry, boolean autoRegister) {
        this.serializer = new AvroSerializer<>(registry, false, autoRegister);
    }

    @Override
    public byte[] labeled(String topic, LabelOutput out) {
        List<HeadLabel> heads = new ArrayList<>(out.heads().size());
        for (dev.clstream.event.HeadLabel h : out.heads()) {
            heads.add(new HeadLabel(h.head(), h.label(), h.score(), probabilities(h)));
        }
        return serializer.serialize(topic, LabeledEvent.newBuilder()
                .setId(out.id())
                .setLabel(out.primary().label())
                .setScore(out.primary().score())
                .setProbabilities(heads.isEmpty() ? probabilities(out.primary()) : heads.get(0).getProbabilities())
                .setModelName(out.modelName())
                .setModelVersion(out.modelVersion())
                .setTokens(out.tokens())
                .setTruncated(out.truncated())
                .setEventTime(instant(out.eventTime()))
                .setProcessedTime(Instant.ofEpochMilli(out.processedTime()))
                .setHeads(heads)
                .build());
    }

    private static List<LabelProbability> probabilities(dev.clstream.event.HeadLabel head) {
        List<LabelProbability> probs = new ArrayList<>(head.labels().size());
        for (int i = 0; i < head.labels().size(); i++) {
            probs.add(new LabelProbability(head.labels().get(i), head.probabilities()[i]));
        }
        return probs;
    }

    @Override
    public byte[] embedding(String topic, EmbeddingOutput out) {
        List<Float> vector = new ArrayList<>(out.vector().length);
        for (float f : out.vector()) {
            vector.add(f);
        }
        return serializer.serialize(topic, ClsEmbedding.newBuilder()
                .setId(out.id())
                .setModelName(out.modelName())
                .setModelVersion(out.modelVersion())
                .setDimension(out.vector().length)
                .setVector(vector)
                .setEventTime(instant(out.eventTime()))
                .setWindows(out.windows())
                .setPooling(out.pooling())
                .build());
    }

    @Override
    public byte[] deadLetter(String topic, DeadLetterOutput out) {
        return serializer.serialize(topic, DeadLetter.newBuilder()
                .setReason(out.reason().code())
                .setMessage(out.message())
                .setStage(out.stage().code())
                .setSourceTopic(out.sourceTopic())
                .setSourcePartition(out.sourcePartition())
                .setSourceOffset(out.sourceOffset())
                .setOriginalKey(out.originalKey() == null ? null : ByteBuffer.wrap(out.originalKey()))
                .setOriginalValue(out.originalValue() == null ? null : ByteBuffer.wrap(out.originalValue()))
                .setFailedTime(Instant.ofEpochMilli(out.failedTime()))
                .setModelName(out.modelName())
                .setModelVersion(out.modelVersion())
                .build());
    }

    private static Instant instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
