package dev.clstream.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.function.Supplier;

/** The operations endpoints: {@code /metrics}, {@code /health/live}, {@code /health/ready}, {@code /info}. */
public final class OpsRoutes {
    public static final String METRICS = "/metrics";
    public static final String LIVE = "/health/live";
    public static final String READY = "/health/ready";
    public static final String INFO = "/info";
    /** Prometheus' text exposition format, which every Prometheus version scrapes. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private OpsRoutes() {}

    /** @param info the {@code /info} document as it is now (the model serving may change), written per request */
    public static List<Route> of(PrometheusMeterRegistry registry, HealthCheck health,
                                 Supplier<? extends JsonNode> info) {
        return List.of(
                route(METRICS, exchange -> Exchanges.send(exchange, 200, PROMETHEUS_TEXT, registry.scrape())),
                route(LIVE, HealthHandlers.live(health)),
                route(READY, HealthHandlers.ready(health)),
                route(INFO, exchange -> Exchanges.send(exchange, 200, Exchanges.JSON_TYPE, write(info.get()))));
    }

    private static String write(JsonNode info) {
        try {
            return Exchanges.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(info) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the /info document does not serialise", e);
        }
    }

    private static Route route(String path, com.sun.net.httpserver.HttpHandler handler) {
        return new Route(path, Exchanges.exact(path, handler));
    }
}
