package dev.clstream.topology;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One label's totals in one window: how many events got it, and the sum of their scores. Both a micro-batch's share
 * (the repartition topic) and a window's running total (the window store) are one of these.
 */
record LabelWindowStats(long count, double scoreSum) {
    static final LabelWindowStats EMPTY = new LabelWindowStats(0, 0);
    static final Serde<LabelWindowStats> SERDE = Serdes.serdeFrom(new Encoder(), new Decoder());

    LabelWindowStats plus(LabelWindowStats other) {
        return new LabelWindowStats(count + other.count, scoreSum + other.scoreSum);
    }

    double meanScore() {
        return count == 0 ? 0 : scoreSum / count;
    }

    /** Sixteen bytes in the repartition topic, the store and its changelog: the count, then the sum. */
    private static final class Encoder implements Serializer<LabelWindowStats> {
        @Override
        public byte[] serialize(String topic, LabelWindowStats s) {
            return s == null ? null : ByteBuffer.allocate(16).putLong(s.count()).putDouble(s.scoreSum()).array();
        }
    }

    private static final class Decoder implements Deserializer<LabelWindowStats> {
        @Override
        public LabelWindowStats deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(data);
            if (data.length == 8) {
                // One event's score, as releases before the partial counts wrote the repartition topic: what an
                // upgraded instance finds there still counts, once.
                return new LabelWindowStats(1, b.getDouble());
            }
            if (data.length != 16) {
                throw new SerializationException("label statistics are 16 bytes (8 for one score), got "
                        + data.length);
            }
            return new LabelWindowStats(b.getLong(), b.getDouble());
        }
    }
}
