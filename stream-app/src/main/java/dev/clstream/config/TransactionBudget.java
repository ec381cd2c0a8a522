package dev.clstream.config;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How the micro-batch's inference budget ({@code batch.max.inference.ms}) and Kafka's transaction
 * fit together. A flush runs inside the open transaction, and one transaction may hold a flush of
 * each task on a stream thread plus a punctuation's: the producer's {@code transaction.timeout.ms}
 * must cover {@value #FLUSHES_PER_TRANSACTION} budgets, or the coordinator aborts transactions that
 * are still working and fences the producer. The app sets it so unless it is set, and refuses a
 * setting that is too short.
 */
final class TransactionBudget {
    static final int FLUSHES_PER_TRANSACTION = 3;
    /** Kafka Streams' own default under exactly-once. */
    static final long STREAMS_TRANSACTION_TIMEOUT_MS = 10_000;
    private static final long MAX_POLL_INTERVAL_MS = 300_000;

    private TransactionBudget() {}

    /** The producer's {@code transaction.timeout.ms} as set ({@code producer.}-prefixed wins); null when not set. */
    static Long transactionTimeoutSet(Map<String, String> passThrough) {
        return longSet(passThrough, StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
    }

    /** The timeout the app's transactions run with: the one set, or one that fits the budget. */
    static long transactionTimeoutMs(Map<String, String> passThrough, long budgetMs) {
        Long set = transactionTimeoutSet(passThrough);
        return set != null ? set : Math.max(STREAMS_TRANSACTION_TIMEOUT_MS, FLUSHES_PER_TRANSACTION * budgetMs + 1_000);
    }

    /** Refuses a {@code transaction.timeout.ms} that cannot hold the flushes of one transaction. */
    static void check(Map<String, String> passThrough, long budgetMs, String budgetKey) {
        Long set = transactionTimeoutSet(passThrough);
        if (set != null && set < FLUSHES_PER_TRANSACTION * budgetMs) {
            throw new ConfigException(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, set, "too short for " + budgetKey
                    + " = " + budgetMs + ": a transaction may hold " + FLUSHES_PER_TRANSACTION + " micro-batch flushes, "
                    + "so it needs at least " + FLUSHES_PER_TRANSACTION * budgetMs + " ms; raise it or lower "
                    + budgetKey);
        }
    }

    /**
     * How long one flush may run before its stream thread is failed: under exactly-once, the
     * transaction timeout less a budget (a later flush would be aborted with it); otherwise the
     * consumer's {@code max.poll.interval.ms} less a budget (a later poll would leave the group).
     */
    static long hardLimitMs(Map<String, String> passThrough, long budgetMs, boolean exactlyOnce) {
        long window = exactlyOnce ? transactionTimeoutMs(passThrough, budgetMs)
                : orElse(longSet(passThrough, StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
                        StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
                        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), MAX_POLL_INTERVAL_MS);
        return Math.max(budgetMs, window - budgetMs);
    }

    private static long orElse(Long value, long dflt) {
        return value != null ? value : dflt;
    }

    private static Long longSet(Map<String, String> passThrough, String... keys) {
        for (String key : keys) {
            String v = passThrough.get(key);
            if (v != null) {
                try {
                    return Long.parseLong(v.trim());
                } catch (NumberFormatException e) {
                    throw new ConfigException(key, v, "a number of milliseconds");
                }
            }
        }
        return null;
    }
}
