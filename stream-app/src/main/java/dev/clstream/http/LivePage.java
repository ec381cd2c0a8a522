package dev.clstream.http;

import dev.clstream.live.LiveWindow;
import java.util.List;

/** The live page: its files at {@code /} and the data it polls at {@code /api/live}. */
public final class LivePage {
    public static final String PAGE = "/";
    public static final String DATA = "/api/live";

    private LivePage() {}

    public static List<Route> routes(LiveWindow window) {
        return List.of(
                // At "/", the JDK server's longest-prefix match hands it every path no other route claims.
                new Route(PAGE, StaticFiles.handler()),
                new Route(DATA, Exchanges.exact(DATA, exchange -> Exchanges.sendJson(exchange, 200, window.snapshot()))));
    }
}
