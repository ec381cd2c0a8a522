package dev.clstream.it;

import dev.clstream.testing.TlsFiles;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A one-node KRaft cluster from Kafka's test kit whose clients must use SASL_SSL: TLS with the test's own certificate
 * ({@link TlsFiles}) and SASL/PLAIN with the accounts given (the broker's own account for itself). Nothing else is
 * open to clients; the controller listener is internal. Set up as {@link TestKitClusters} says.
 */
final class SaslSslCluster implements AutoCloseable {
    /** The test kit's name for the client listener, lower-cased in per-listener settings. */
    private static final String LISTENER = "external";
    private static final String BROKER_USER = "broker";

    private final KafkaClusterTestKit kit;

    private SaslSslCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    /** @param users user name to password: the accounts clients may log in with */
    static SaslSslCluster start(TlsFiles tls, Map<String, String> users) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder(TestKitClusters.productionFeatures()).setCombined(true)
                .setNumBrokerNodes(1).setNumControllerNodes(1).build();
        String brokerPassword = "broker-" + Long.toHexString(System.nanoTime());
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"" + BROKER_USER + "\" password=\"" + brokerPassword + "\" user_" + BROKER_USER + "=\""
                + brokerPassword + "\"");
        users.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password)
                .append('"'));
        jaas.append(';');
        Map<String, Object> props = new LinkedHashMap<>();
        // The kit's nodes take only PLAINTEXT and SASL_PLAINTEXT; its listeners are plain sockets that either can use.
        props.put("listener.security.protocol.map", LISTENER.toUpperCase(Locale.ROOT) + ":" + SecurityProtocol.SASL_SSL
                + ",CONTROLLER:PLAINTEXT");
        props.put("sasl.enabled.mechanisms", "PLAIN");
        props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        props.put("listener.name." + LISTENER + ".plain.sasl.jaas.config", jaas.toString());
        props.put("ssl.keystore.location", tls.keyStore().toString());
        props.put("ssl.keystore.password", tls.password());
        props.put("ssl.key.password", tls.password());
        props.put("ssl.keystore.type", "PKCS12");
        // The broker is its own client on this listener (transaction markers): it trusts its own certificate.
        props.put("ssl.truststore.location", tls.trustStore().toString());
        props.put("ssl.truststore.password", tls.password());
        props.put("ssl.truststore.type", "PKCS12");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "3");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "3");
        return new SaslSslCluster(TestKitClusters.start(nodes, props));
    }

    String bootstrapServers() {
        return kit.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
