package dev.clstream.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed server certificate for {@code localhost} and {@code 127.0.0.1}, made by the JDK's {@code keytool}, in
 * a PKCS12 key store for the server and a PKCS12 trust store holding only that certificate for its clients: what a
 * private CA gives a team, without one. Valid for two days.
 *
 * @param keyStore the server's key and certificate
 * @param trustStore the certificate alone, for clients
 * @param password both stores' password (and the key's)
 */
public record TlsFiles(Path keyStore, Path trustStore, String password) {
    private static final String ALIAS = "server";

    public static TlsFiles create(Path dir, String password) throws IOException, GeneralSecurityException,
            InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        RequiredTools.requirePresent(Files.isExecutable(keytool), "keytool is not in " + keytool.getParent()
                + ": run the tests with a full JDK");
        Files.createDirectories(dir);
        Path keyStore = dir.resolve("server.p12");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", ALIAS, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", password)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(ALIAS, load(keyStore, password).getCertificate(ALIAS));
        Path trustStore = dir.resolve("trust.p12");
        try (OutputStream o = Files.newOutputStream(trustStore)) {
            trust.store(o, password.toCharArray());
        }
        return new TlsFiles(keyStore, trustStore, password);
    }

    /** A TLS server context on the key store (for a JDK {@code HttpsServer}, say). */
    public SSLContext serverContext() throws IOException, GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(keyStore, password), password.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        return ssl;
    }

    private static KeyStore load(Path store, String password) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, password.toCharArray());
        }
        return keys;
    }
}
