package dev.clstream.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /health/live} and {@code /health/ready}: 200 or 503, with a JSON body that says why. */
final class HealthHandlers {
    private HealthHandlers() {}

    static HttpHandler live(HealthCheck health) {
        return exchange -> answer(exchange, health.notLiveBecause(), "live", "not live");
    }

    static HttpHandler ready(HealthCheck health) {
        return exchange -> answer(exchange, health.notReadyBecause(), "ready", "not ready");
    }

    private static void answer(HttpExchange exchange, List<String> reasons, String ok,
                               String notOk) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", reasons.isEmpty() ? ok : notOk);
        if (!reasons.isEmpty()) {
            body.put("reasons", reasons);
        }
        Exchanges.sendJson(exchange, reasons.isEmpty() ? 200 : 503, body);
    }
}
