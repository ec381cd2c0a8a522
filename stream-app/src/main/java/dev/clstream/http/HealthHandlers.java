package dev.clstream.http;

import com.sun.net.httpserver.HttpHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /health/live} and {@code /health/ready}: 200 or 503, with a JSON body that says why. */
final class HealthHandlers {
    private HealthHandlers() {}

    static HttpHandler live(HealthCheck health) {
        return exchange -> {
            boolean live = health.live();
            Exchanges.sendJson(exchange, live ? 200 : 503, Map.of("status", live ? "live" : "shutting down"));
        };
    }

    static HttpHandler ready(HealthCheck health) {
        return exchange -> {
            List<String> reasons = health.notReadyBecause();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", reasons.isEmpty() ? "ready" : "not ready");
            if (!reasons.isEmpty()) {
                body.put("reasons", reasons);
            }
            Exchanges.sendJson(exchange, reasons.isEmpty() ? 200 : 503, body);
        };
    }
}
