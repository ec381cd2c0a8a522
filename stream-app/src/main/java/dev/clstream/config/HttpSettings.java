package dev.clstream.config;

/**
 * The HTTP endpoint: whether it runs, where it listens ({@code bindAddress} blank: the default for
 * the mode, see {@link #bindAddress(boolean)}), on which port (0: any free one), and the token that
 * guards what is not a probe or a scrape ({@code authToken}, null: none).
 */
public record HttpSettings(boolean enabled, String bindAddress, int port, String authToken) {

    /**
     * The address to serve HTTP on. Unless set, an embedded-mode app (a laptop, a demo) stays on
     * loopback, while one that joins a real cluster is reachable by its scraper and probes.
     */
    public String bindAddress(boolean embedded) {
        return !bindAddress.isBlank() ? bindAddress : embedded ? "127.0.0.1" : "0.0.0.0";
    }

    @Override
    public String toString() {
        return "HttpSettings[enabled=" + enabled + ", bindAddress=" + bindAddress + ", port=" + port + ", authToken="
                + (authToken == null ? "none" : dev.clstream.secrets.Secrets.REDACTED) + "]";
    }
}
