package dev.clstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

/** The app's record size is the bound Kafka's producer checks {@code max.request.size} against, to the byte. */
class RecordSizeTest {
    @Test
    void equalsTheProducersUpperBound() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 300; i++) {
            byte[] key = rnd.nextInt(4) == 0 ? null : new byte[rnd.nextInt(i % 3 == 0 ? 700_000 : 300)];
            byte[] value = rnd.nextInt(6) == 0 ? null : new byte[rnd.nextInt(i % 5 == 0 ? 1_200_000 : 5_000)];
            int n = rnd.nextInt(4);
            Header[] headers = new Header[n];
            for (int h = 0; h < n; h++) {
                headers[h] = new RecordHeader("h" + "x".repeat(rnd.nextInt(200)),
                        rnd.nextInt(5) == 0 ? null : new byte[rnd.nextInt(i % 7 == 0 ? 400_000 : 100)]);
            }
            assertEquals(AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                    CompressionType.NONE, key, value, headers), RecordSize.upperBound(key, value, List.of(headers)),
                    "case " + i);
        }
    }
}
