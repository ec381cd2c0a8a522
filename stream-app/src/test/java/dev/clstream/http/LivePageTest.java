package dev.clstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.live.LiveWindow;
import dev.clstream.testing.Http;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The live page's files and its data endpoint, over real HTTP. */
class LivePageTest {
    final LiveWindow window = new LiveWindow(List.of("negative", "positive"), 0.7, true);
    HttpEndpoint http;
    String base;

    @BeforeEach
    void start() {
        http = HttpEndpoint.start("127.0.0.1", 0, LivePage.routes(window));
        base = "http://127.0.0.1:" + http.port();
    }

    @AfterEach
    void stop() {
        http.close();
    }

    @Test
    void servesThePageAndItsScriptsFromTheClasspath() throws Exception {
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("script-src 'self'"));
        for (String script : List.of("/live.js", "/uPlot.iife.min.js")) {
            HttpResponse<String> js = get(script);
            assertEquals(200, js.statusCode(), script);
            assertTrue(js.headers().firstValue("Content-Type").orElseThrow().startsWith("text/javascript"), script);
            assertTrue(page.body().contains("src=\"" + script.substring(1) + "\""), "index.html loads " + script);
        }
        assertEquals(200, get("/live.css").statusCode());
        assertEquals(200, get("/uPlot.LICENSE").statusCode());
    }

    @Test
    void servesNothingElse() throws Exception {
        assertEquals(404, get("/index.htm").statusCode());
        assertEquals(404, get("/../logback.xml").statusCode());
        assertEquals(404, get("/dev/clstream/http/static/live.js").statusCode());
        assertEquals(404, get("/api/live/more").statusCode());
        HttpResponse<String> post = Http.post(base + "/", "x");
        assertEquals(405, post.statusCode());
    }

    @Test
    void theDataEndpointAnswersWhatTheWindowRecorded() throws Exception {
        window.eventIn();
        window.classified("evt-1", "<img src=x onerror=alert(1)> maybe", "positive", 0.51);
        window.processed(12);
        window.deadLetter("invalid_json", "decode", "not JSON", "clstream-input-0@4");
        HttpResponse<String> r = get(LivePage.DATA);
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        JsonNode d = new ObjectMapper().readTree(r.body());
        assertEquals(1, d.path("totals").get("in").asLong());
        assertEquals(2, d.path("totals").get("out").asLong());
        assertEquals(List.of("negative", "positive"), List.of(d.get("labels").get(0).asText(),
                d.get("labels").get(1).asText()));
        JsonNode low = d.get("low_confidence").get(0);
        assertEquals("evt-1", low.get("id").asText());
        assertEquals("<img src=x onerror=alert(1)> maybe", low.get("text").asText(), "data stays data; the page "
                + "renders it as text");
        assertEquals("invalid_json", d.get("recent_dead_letters").get(0).get("reason").asText());
    }

    /** The page shows event texts: they must reach the DOM as text only. */
    @Test
    void theScriptNeverWritesMarkup() throws IOException {
        try (InputStream in = LivePage.class.getResourceAsStream("static/live.js")) {
            String js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(")) {
                assertFalse(js.contains(sink), "live.js uses " + sink);
            }
            assertTrue(js.contains("textContent"));
        }
    }

    private HttpResponse<String> get(String path) {
        return Http.get(base + path);
    }
}
