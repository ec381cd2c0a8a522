package dev.clstream.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps three WARN lines off the console that Kafka logs on every clean start or stop whatever the
 * settings, so that a warning on the console always means something:
 * <ul>
 *   <li>a KRaft controller's activation (the embedded broker's; Kafka logs every activation at WARN);
 *   <li>the embedded broker's controller-registration channel closing its network client a second
 *       time at shutdown;
 *   <li>Kafka Streams' "Warmup replicas are not supported yet with the streams protocol", logged under
 *       that protocol whatever {@code max.warmup.replicas} says (its minimum is 1, and any value other
 *       than 0 triggers it); when a user sets that key, {@link RealCluster#groupProtocol} says itself
 *       that it is ignored.
 * </ul>
 * Only these exact lines are dropped: every other line of the same loggers, at any level, shows.
 */
public final class KafkaNoticeFilter extends Filter<ILoggingEvent> {
    private static final String CONTROLLER = "org.apache.kafka.controller.QuorumController";
    private static final String NETWORK_CLIENT = "org.apache.kafka.clients.NetworkClient";
    private static final String STREAMS_CONFIG = "org.apache.kafka.streams.StreamsConfig";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return isKnownNotice(event.getLevel(), event.getLoggerName(), event.getFormattedMessage())
                ? FilterReply.DENY : FilterReply.NEUTRAL;
    }

    static boolean isKnownNotice(Level level, String logger, String message) {
        if (level != Level.WARN || message == null) {
            return false;
        }
        return logger.equals(CONTROLLER) && message.startsWith("[QuorumController id=")
                        && message.contains("] Performing controller activation.")
                || logger.equals(NETWORK_CLIENT) && message.startsWith("[NodeToControllerChannelManager id=")
                        && message.endsWith("] Attempting to close NetworkClient that has already been closed.")
                || logger.equals(STREAMS_CONFIG)
                        && message.startsWith("Warmup replicas are not supported yet with the streams protocol");
    }
}
