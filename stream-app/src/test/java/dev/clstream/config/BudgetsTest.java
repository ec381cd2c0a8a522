package dev.clstream.config;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The README's sizing rules, as the app derives them: the transaction timeout from {@code batch.max.inference.ms},
 * and what records may take of the heap ({@link MemoryBudget}); a setting made explicitly wins.
 */
class BudgetsTest {
    private static final long MIB = 1024 * 1024;
    private static final String TRANSACTION_TIMEOUT = StreamsConfig.producerPrefix(
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);

    @Test
    void theTransactionTimeoutHoldsThreeFlushesUnlessSet() {
        // Kafka Streams' own 10 s already holds three 3 s flushes (and a second for the commit).
        assertEquals("10000", ClstreamConfig.of(Map.of()).streamsProperties().getProperty(TRANSACTION_TIMEOUT));
        assertEquals("16000", ClstreamConfig.of(Map.of(ClstreamConfig.BATCH_MAX_INFERENCE_MS, "5000"))
                .streamsProperties().getProperty(TRANSACTION_TIMEOUT));
        Properties set = ClstreamConfig.of(Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000")).streamsProperties();
        assertEquals("30000", set.getProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), "the one set is used");
        assertEquals(null, set.getProperty(TRANSACTION_TIMEOUT), "and not overridden");
        // At least once has no transaction to fit.
        assertEquals(null, ClstreamConfig.of(Map.of(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once"))
                .streamsProperties().getProperty(TRANSACTION_TIMEOUT));
    }

    @Test
    void aTransactionTimeoutTooShortForThreeFlushesIsRefusedNamingBothKeys() {
        ConfigException e = assertThrows(ConfigException.class, () -> ClstreamConfig.of(Map.of(
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "5000")));
        assertMessageNames(e, "transaction.timeout.ms", "batch.max.inference.ms = 3000", "at least 9000 ms");
        ConfigException prefixed = assertThrows(ConfigException.class, () -> ClstreamConfig.of(Map.of(
                TRANSACTION_TIMEOUT, "20000", ClstreamConfig.BATCH_MAX_INFERENCE_MS, "8000")));
        assertMessageNames(prefixed, "transaction.timeout.ms", "batch.max.inference.ms = 8000");
    }

    @Test
    void aFlushMayRunUntilTheTransactionLessOneBudgetThenItsThreadFails() {
        assertEquals(7_000, TransactionBudget.hardLimitMs(Map.of(), 3_000, true));
        assertEquals(27_000, TransactionBudget.hardLimitMs(Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000"),
                3_000, true));
        // At least once: the consumer's poll interval (5 minutes by default) is the window instead.
        assertEquals(297_000, TransactionBudget.hardLimitMs(Map.of(), 3_000, false));
        assertEquals(57_000, TransactionBudget.hardLimitMs(Map.of(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "60000"),
                3_000, false));
    }

    @Test
    void recordsMayTakeEighthsAndSixteenthsOfTheHeapWithinBounds() {
        assertEquals(new MemoryBudget(128 * MIB, 50 * MIB, 10 * MIB, 32 * MIB, 64 * MIB), MemoryBudget.forHeap(1024 * MIB),
                "1 GiB heap: fetches capped at Kafka's 50 MiB, the cache at 10 MiB");
        assertEquals(new MemoryBudget(32 * MIB, 16 * MIB, 8 * MIB, 8 * MIB, 16 * MIB), MemoryBudget.forHeap(256 * MIB));
        assertEquals(new MemoryBudget(MIB, MIB, MIB / 4, MIB, MIB / 2), MemoryBudget.forHeap(8 * MIB),
                "a tiny heap: a fetch and a micro-batch still take a 1 MiB record");
    }

    @Test
    void theMemoryBudgetIsAppliedUnlessSet() {
        Properties streams = new Properties();
        MemoryBudget.forHeap(256 * MIB).applyTo(streams, Map.of());
        assertEquals(Long.toString(32 * MIB), streams.getProperty("input.buffer.max.bytes"));
        assertEquals(Long.toString(8 * MIB), streams.getProperty(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG));
        assertEquals(Long.toString(16 * MIB), streams.getProperty(StreamsConfig.mainConsumerPrefix(
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG)));

        Properties set = new Properties();
        MemoryBudget.forHeap(256 * MIB).applyTo(set, Map.of("input.buffer.max.bytes", "1000",
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "2000"));
        assertEquals(null, set.getProperty("input.buffer.max.bytes"), "set by the user: left to pass through");
        assertEquals(null, set.getProperty(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG)));
    }
}
