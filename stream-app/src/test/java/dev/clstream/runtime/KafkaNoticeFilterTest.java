package dev.clstream.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;

/** Only the known start and stop lines are kept off the console; the same loggers' other lines still show. */
class KafkaNoticeFilterTest {
    private static final String CONTROLLER = "org.apache.kafka.controller.QuorumController";
    private static final String CLIENT = "org.apache.kafka.clients.NetworkClient";
    private static final String ACTIVATION = "[QuorumController id=1] Performing controller activation. The metadata "
            + "log appears to be empty. Appending 6 bootstrap record(s) in metadata transaction at metadata.version "
            + "4.3-IV0 from bootstrap source 'the binary bootstrap metadata file: /tmp/k/bootstrap.checkpoint'.";
    private static final String DOUBLE_CLOSE = "[NodeToControllerChannelManager id=1 name=registration] Attempting to "
            + "close NetworkClient that has already been closed.";

    private static final String STREAMS_CONFIG = "org.apache.kafka.streams.StreamsConfig";
    private static final String WARMUP = "Warmup replicas are not supported yet with the streams protocol and will be "
            + "ignored. If you want to use warmup replicas, please set group.protocol=classic.";

    @Test
    void theKnownLinesAreDropped() {
        assertTrue(KafkaNoticeFilter.isKnownNotice(Level.WARN, CONTROLLER, ACTIVATION));
        assertTrue(KafkaNoticeFilter.isKnownNotice(Level.WARN, CLIENT, DOUBLE_CLOSE));
        assertTrue(KafkaNoticeFilter.isKnownNotice(Level.WARN, STREAMS_CONFIG, WARMUP));
    }

    @Test
    void everythingElseShows() {
        assertFalse(KafkaNoticeFilter.isKnownNotice(Level.ERROR, CONTROLLER, ACTIVATION), "another level");
        assertFalse(KafkaNoticeFilter.isKnownNotice(Level.WARN, "org.apache.kafka.other", ACTIVATION), "another logger");
        assertFalse(KafkaNoticeFilter.isKnownNotice(Level.WARN, CONTROLLER,
                "[QuorumController id=1] Renouncing the leadership due to a metadata log event."), "another line");
        // The app's own clients close through the same class: their double close is not the broker's.
        assertFalse(KafkaNoticeFilter.isKnownNotice(Level.WARN, CLIENT, "[Consumer clientId=app, groupId=app] "
                + "Attempting to close NetworkClient that has already been closed."));
        assertFalse(KafkaNoticeFilter.isKnownNotice(Level.WARN, CLIENT, "[NodeToControllerChannelManager id=1 "
                + "name=registration] Connection to node 1 could not be established."));
        assertFalse(KafkaNoticeFilter.isKnownNotice(Level.WARN, STREAMS_CONFIG, "Standby replicas are configured "
                + "broker-side in the streams group protocol and will be ignored."));
        assertFalse(KafkaNoticeFilter.isKnownNotice(Level.WARN, CONTROLLER, null));
    }
}
