package dev.clstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.testing.Http;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** http.auth.token on a real socket: what it guards, what it leaves open, and which headers carry it. */
class TokenAuthTest {
    static final String TOKEN = "t0ken-with-some-length";
    static final List<String> GUARDED = List.of(OpsRoutes.INFO, LivePage.DATA, LivePage.PAGE, "/live.js");
    static final List<String> OPEN = List.of(OpsRoutes.METRICS, OpsRoutes.LIVE, OpsRoutes.READY);

    HttpEndpoint endpoint;

    @AfterEach
    void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void withATokenOnlyProbesAndTheScrapeAnswerWithoutIt() {
        start(TOKEN);
        for (String path : GUARDED) {
            HttpResponse<String> r = get(path, null);
            assertEquals(401, r.statusCode(), path);
            assertTrue(r.headers().allValues("WWW-Authenticate").contains("Basic realm=\"clstream\", charset=\"UTF-8\""),
                    "a browser asks for it: " + r.headers().map());
            assertEquals(401, get(path, "Bearer wrong-" + TOKEN).statusCode(), path);
            assertEquals(401, get(path, "Bearer " + TOKEN.substring(1)).statusCode(), path);
            assertEquals(401, get(path, basic("any", "wrong")).statusCode(), path);
            assertEquals(401, get(path, "Basic %%%").statusCode(), "not base64: " + path);
            assertEquals(200, get(path, "Bearer " + TOKEN).statusCode(), path);
            assertEquals(200, get(path, "bearer " + TOKEN).statusCode(), "the scheme is case-insensitive: " + path);
            assertEquals(200, get(path, basic("anyone", TOKEN)).statusCode(), path);
            assertFalse(get(path, "Bearer wrong").body().contains("wrong"), "the answer repeats nothing sent");
        }
        for (String path : OPEN) {
            assertEquals(200, get(path, null).statusCode(), path);
        }
    }

    @Test
    void withoutATokenEverythingIsOpenAndABlankOneIsRefused() {
        start(null);
        for (String path : GUARDED) {
            assertEquals(200, get(path, null).statusCode(), path);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> start(" "));
        assertTrue(e.getMessage().contains("http.auth.token"), e.getMessage());
    }

    private void start(String token) {
        List<Route> routes = new java.util.ArrayList<>();
        for (String path : OPEN) {
            routes.add(new Route(path, Exchanges.exact(path, ok())));
        }
        routes.add(new Route(OpsRoutes.INFO, Exchanges.exact(OpsRoutes.INFO, ok())));
        routes.add(new Route(LivePage.DATA, Exchanges.exact(LivePage.DATA, ok())));
        routes.add(new Route(LivePage.PAGE, ok()));
        endpoint = HttpEndpoint.start("127.0.0.1", 0, TokenAuth.guard(routes, token));
    }

    private static com.sun.net.httpserver.HttpHandler ok() {
        return exchange -> Exchanges.send(exchange, 200, "text/plain", "ok");
    }

    private HttpResponse<String> get(String path, String authorization) {
        return Http.get("http://127.0.0.1:" + endpoint.port() + path, authorization);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
