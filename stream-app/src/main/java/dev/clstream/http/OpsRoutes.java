package dev.clstream.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;

/** The operations endpoints: {@code /metrics}, {@code /health/live}, {@code /health/ready}, {@code /info}. */
public final class OpsRoutes {
    public static final String METRICS = "/metrics";
    public static final String LIVE = "/health/live";
    public static final String READY = "/health/ready";
    public static final String INFO = "/info";
    /** Prometheus' text exposition format, which every Prometheus version scrapes. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private OpsRoutes() {}

    /** @param info the {@code /info} document; fixed for the app's life, so written once */
    public static List<Route> of(PrometheusMeterRegistry registry, HealthCheck health, JsonNode info) {
        String infoBody;
        try {
            infoBody = Exchanges.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(info) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the /info document does not serialise", e);
        }
        return List.of(
                route(METRICS, exchange -> Exchanges.send(exchange, 200, PROMETHEUS_TEXT, registry.scrape())),
                route(LIVE, HealthHandlers.live(health)),
                route(READY, HealthHandlers.ready(health)),
                route(INFO, exchange -> Exchanges.send(exchange, 200, Exchanges.JSON_TYPE, infoBody)));
    }

    private static Route route(String path, com.sun.net.httpserver.HttpHandler handler) {
        return new Route(path, Exchanges.exact(path, handler));
    }
}
