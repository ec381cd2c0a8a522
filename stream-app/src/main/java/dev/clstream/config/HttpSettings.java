package dev.clstream.config;

/**
 * The HTTP endpoint: whether it runs, where it listens ({@code bindAddress} blank: the default for
 * the mode, see {@link #bindAddress(boolean)}), and on which port (0: any free one).
 */
public record HttpSettings(boolean enabled, String bindAddress, int port) {

    /**
     * The address to serve HTTP on. Unless set, an embedded-mode app (a laptop, a demo) stays on
     * loopback, while one that joins a real cluster is reachable by its scraper and probes.
     */
    public String bindAddress(boolean embedded) {
        return !bindAddress.isBlank() ? bindAddress : embedded ? "127.0.0.1" : "0.0.0.0";
    }
}
