package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.http.OpsRoutes;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.testing.Http;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.PrometheusText;
import dev.clstream.testing.RequiredTools;
import dev.clstream.testing.TestBundles;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operations files in deploy/ against the running app: clstream (tiny model) on the real Kafka cluster, with
 * good events and one bad record per dead-letter reason flowing through it. Then
 * <ul>
 *   <li>every metric that deploy/grafana/dashboards/clstream.json queries is in /metrics;</li>
 *   <li>a real Prometheus server (the Debian package's binary) runs with deploy/prometheus/prometheus.yml, only the
 *       target and intervals replaced, and reads the app's series back through its HTTP API with the project's
 *       relabelling applied; every dashboard expression and every alert rule evaluates there;</li>
 *   <li>deploy/healthcheck.sh, the images' HEALTHCHECK, passes on the live endpoints and fails otherwise.</li>
 * </ul>
 */
@ExtendWith(KafkaTestCluster.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PrometheusScrapeIT {
    static final int GOOD = 24;
    /** One bad JSON input per dead-letter reason it can produce, so that every reason series the dashboard shows exists. */
    static final Map<String, byte[]> BAD = new LinkedHashMap<>();

    static {
        BAD.put("invalid_json", "{broken".getBytes(StandardCharsets.UTF_8));
        BAD.put("missing_text", "{\"id\":\"no-text\"}".getBytes(StandardCharsets.UTF_8));
        BAD.put("empty_text", "{\"id\":\"empty\",\"text\":\"\"}".getBytes(StandardCharsets.UTF_8));
        BAD.put("blank_text", "{\"id\":\"blank\",\"text\":\"  \\t \"}".getBytes(StandardCharsets.UTF_8));
        BAD.put("null_value", null);
    }

    final ObjectMapper json = new ObjectMapper();
    Path work;
    ClstreamRuntime app;
    String appUrl;
    /** /metrics once every event has been counted. */
    PrometheusText scraped;

    @BeforeAll
    void startAppAndSendEvents() throws Exception {
        work = Files.createTempDirectory(ItSupport.workDir(), "prometheus-scrape-");
        ItSupport.Topics topics = ItSupport.createAppTopics("prom", 2);
        String in = topics.input();
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", KafkaTestCluster.bootstrapServers());
        s.put("application.id", KafkaTestCluster.uniqueName("prom-app"));
        s.put("state.dir", work.resolve("state").toString());
        s.put(ClstreamConfig.HTTP_BIND_ADDRESS, "127.0.0.1");
        s.put(ClstreamConfig.HTTP_PORT, "0");
        s.put(ClstreamConfig.INPUT_FORMAT, "json");
        s.put(ClstreamConfig.OUTPUT_FORMAT, "json");
        s.putAll(topics.settings());
        s.put(ClstreamConfig.MODEL_BUNDLE, TestBundles.tiny(work.resolve("tiny")).directory().toString());
        app = ClstreamRuntime.start(ClstreamConfig.of(s));
        appUrl = app.httpUrl().orElseThrow();
        assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "Streams did not reach RUNNING: " + app.streams().state());

        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(app.bootstrapServers())) {
            for (int i = 0; i < GOOD; i++) {
                String event = "{\"id\":\"g" + i + "\",\"text\":\"" + ItSupport.text(i) + "\",\"event_time\":"
                        + System.currentTimeMillis() + "}";
                producer.send(new ProducerRecord<>(in, ("g" + i).getBytes(StandardCharsets.UTF_8),
                        event.getBytes(StandardCharsets.UTF_8)));
            }
            BAD.forEach((reason, value) -> producer.send(new ProducerRecord<>(in,
                    reason.getBytes(StandardCharsets.UTF_8), value)));
            producer.flush();
        }
        ItSupport.awaitOrFail(60_000, () -> {
            scraped = PrometheusText.parse(get(appUrl + OpsRoutes.METRICS));
            return scraped.valueOr("clstream_events_in_total", 0) == GOOD + BAD.size()
                    && scraped.valueOr("clstream_events_out_total{output=\"labels\"}", 0) == GOOD
                    && scraped.valueOr("clstream_events_out_total{output=\"dead_letters\"}", 0) == BAD.size()
                    // Each counter is incremented on its own, so one scrape can see the output counted and its
                    // prediction not yet: wait for both.
                    && scraped.all().entrySet().stream().filter(e -> e.getKey().startsWith("clstream_predictions_total{"))
                    .mapToDouble(Map.Entry::getValue).sum() == GOOD;
        }, () -> "the app did not count " + GOOD + " labeled events and " + BAD.size() + " dead letters; /metrics:\n"
                + scraped.all().entrySet().stream().filter(e -> e.getKey().startsWith("clstream_events"))
                .map(Object::toString).collect(Collectors.joining("\n")));
        Files.writeString(work.resolve("metrics.txt"), scraped.text());
    }

    @AfterAll
    void stopApp() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void everyMetricTheDashboardAndTheAlertsQueryIsInMetrics() throws IOException {
        GrafanaDashboard dashboard = GrafanaDashboard.load();
        Set<String> queried = new TreeSet<>(dashboard.metricNames());
        Set<String> alerting = alertMetricNames();
        // up is Prometheus' own series for each target, never the app's.
        alerting.remove("up");
        assertTrue(alerting.containsAll(Set.of("clstream_dead_letters_total", "clstream_labels_committed_total",
                "clstream_stream_thread_replacements_total", "kafka_stream_client_state")),
                "metric names read from the alerts: " + alerting);
        queried.addAll(alerting);
        // The reading of the dashboard itself: it must find the panels' metrics, or the check below proves nothing.
        assertTrue(queried.containsAll(Set.of("clstream_events_in_total", "clstream_events_out_total",
                "clstream_dead_letters_total", "clstream_predictions_total", "clstream_prediction_confidence_bucket",
                "clstream_end_to_end_latency_seconds_bucket", "clstream_inference_seconds_bucket",
                "clstream_batch_size_bucket")), "metric names read from the dashboard: " + queried);
        Set<String> exported = scraped.all().keySet().stream().map(PrometheusScrapeIT::metricName)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "metrics the dashboard or the alerts query but /metrics does not have (it has "
                + exported.size() + " metric names; see " + work.resolve("metrics.txt") + ")");
        // And the dead-letter panel has something to show for every reason sent.
        for (String reason : BAD.keySet()) {
            assertEquals(1, scraped.value("clstream_dead_letters_total{reason=\"" + reason + "\"}"), reason);
        }
    }

    @Test
    void prometheusScrapesTheAppWithTheProjectConfig() throws Exception {
        Path prometheus = RequiredTools.require("prometheus",
                "install the Debian package 'prometheus' (apt-get install prometheus) to run a real Prometheus");
        int port = ItSupport.freePort();
        String promUrl = "http://127.0.0.1:" + port;
        Path config = work.resolve("prometheus.yml");
        Files.writeString(config, derivedConfig(port));
        Path log = work.resolve("prometheus.log");
        Process server = new ProcessBuilder(prometheus.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=info").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // The counter as Prometheus scraped it, with the project's job and relabelling applied.
            JsonNode series = awaitQuery(promUrl, "clstream_events_in_total", server, log,
                    r -> r.size() == 1 && value(r.get(0)) == GOOD + BAD.size());
            JsonNode labels = series.get(0).path("metric");
            assertEquals("clstream", labels.path("job").asText(), labels.toString());
            assertEquals("clstream", labels.path("service").asText(), labels.toString());
            assertEquals("127.0.0.1", labels.path("instance").asText(), "instance relabelled to the host: " + labels);

            JsonNode out = awaitQuery(promUrl, "sum by (output) (clstream_events_out_total)", server, log,
                    r -> r.size() == 3);
            Map<String, Double> byOutput = new TreeMap<>();
            out.forEach(r -> byOutput.put(r.path("metric").path("output").asText(), value(r)));
            assertEquals(Map.of("labels", (double) GOOD, "embeddings", (double) GOOD, "dead_letters",
                    (double) BAD.size()), byOutput);

            JsonNode dead = awaitQuery(promUrl, "clstream_dead_letters_total", server, log, r -> r.size() == BAD.size());
            Set<String> reasons = new TreeSet<>();
            dead.forEach(r -> reasons.add(r.path("metric").path("reason").asText()));
            assertEquals(new TreeSet<>(BAD.keySet()), reasons);

            // The premise of the ClstreamNotReady alert: while the app is ready, client-state is RUNNING's ordinal.
            JsonNode state = awaitQuery(promUrl, "kafka_stream_client_state{job=\"clstream\"}", server, log,
                    r -> r.size() == 1);
            assertEquals(KafkaStreams.State.RUNNING.ordinal(), value(state.get(0)), state.toString());

            // Every panel of the dashboard gets data from this Prometheus: valid PromQL, and something to draw.
            GrafanaDashboard dashboard = GrafanaDashboard.load();
            List<String> failures = new ArrayList<>();
            for (Map.Entry<String, String> e : dashboard.expressions().entrySet()) {
                String expr = GrafanaDashboard.asSent(e.getValue());
                if (!ItSupport.await(30_000, () -> query(promUrl, expr).size() > 0)) {
                    failures.add(e.getKey() + ": " + expr + " -> " + rawQuery(promUrl, expr));
                }
            }
            assertEquals(List.of(), failures, "dashboard queries without data");

            // The alert rules (rule_files of the project's config) are loaded and evaluate without error.
            Set<String> expected = alertNames();
            ItSupport.awaitOrFail(30_000, () -> {
                Map<String, String> health = ruleHealth(promUrl);
                return health.keySet().equals(expected) && health.values().stream().allMatch("ok"::equals);
            }, () -> "rules: expected " + expected + " all with health ok, got " + ruleHealth(promUrl));
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void containerHealthCheckFollowsTheHealthEndpoints() throws Exception {
        Path script = ExternalTools.deployDir().resolve("healthcheck.sh");
        String port = Integer.toString(app.httpPort().orElseThrow());
        assertEquals(0, healthcheck(script, port).exitCode(), "ready app: default path /health/ready");
        assertEquals(0, healthcheck(script, port, OpsRoutes.LIVE).exitCode(), "live app");
        ExternalTools.Result missing = healthcheck(script, port, "/no-such-endpoint");
        assertEquals(1, missing.exitCode(), "a 404 is not healthy: " + missing.output());
        assertTrue(missing.output().contains("404"), missing.output());
        try (ServerSocket closed = new ServerSocket(0)) {
            String nobody = Integer.toString(closed.getLocalPort());
            closed.close();
            assertEquals(1, healthcheck(script, nobody).exitCode(), "nothing listening");
        }
    }

    private static ExternalTools.Result healthcheck(Path script, String port, String... path) throws Exception {
        List<String> command = new ArrayList<>(List.of("env", "CLSTREAM_HTTP_PORT=" + port, "bash", script.toString()));
        command.addAll(List.of(path));
        return ExternalTools.run(ItSupport.workDir(), 30, command.toArray(String[]::new));
    }

    /**
     * deploy/prometheus/prometheus.yml with only what differs here replaced: the clstream job's target is this app,
     * the self-scrape target is this server's port, intervals are 1 s, and rule files are found beside the original.
     */
    private String derivedConfig(int prometheusPort) throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        Path original = ExternalTools.deployDir().resolve("prometheus/prometheus.yml");
        ObjectNode root = (ObjectNode) yaml.readTree(original.toFile());
        ObjectNode global = root.with("global");
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        ArrayNode rules = root.withArray("rule_files");
        for (int i = 0; i < rules.size(); i++) {
            rules.set(i, original.resolveSibling(rules.get(i).asText()).toString());
        }
        Set<String> jobs = new TreeSet<>();
        for (JsonNode job : root.withArray("scrape_configs")) {
            String name = job.path("job_name").asText();
            jobs.add(name);
            String target = switch (name) {
                case "clstream" -> "127.0.0.1:" + app.httpPort().orElseThrow();
                case "prometheus" -> "127.0.0.1:" + prometheusPort;
                default -> throw new AssertionError("a scrape job this test does not know how to point here: " + name);
            };
            for (JsonNode sc : job.withArray("static_configs")) {
                ((ObjectNode) sc).putArray("targets").add(target);
            }
        }
        assertTrue(jobs.contains("clstream"), "no clstream job in " + original + ": " + jobs);
        return yaml.writeValueAsString(root);
    }

    /** The metric names the alert expressions select. */
    private static Set<String> alertMetricNames() throws IOException {
        JsonNode rules = new YAMLMapper().readTree(ExternalTools.deployDir().resolve("prometheus/alerts.yml").toFile());
        Set<String> names = new TreeSet<>();
        for (JsonNode group : rules.path("groups")) {
            group.path("rules").forEach(r -> names.addAll(PromQl.metricNames(r.path("expr").asText())));
        }
        return names;
    }

    private static Set<String> alertNames() throws IOException {
        JsonNode rules = new YAMLMapper().readTree(ExternalTools.deployDir().resolve("prometheus/alerts.yml").toFile());
        Set<String> names = new TreeSet<>();
        for (JsonNode group : rules.path("groups")) {
            group.path("rules").forEach(r -> names.add(r.path("alert").asText(r.path("record").asText())));
        }
        assertFalse(names.isEmpty(), "no rules in alerts.yml");
        return names;
    }

    /** Rule name to health ("ok", "err", "unknown" before its first evaluation) from /api/v1/rules. */
    private Map<String, String> ruleHealth(String promUrl) {
        Map<String, String> health = new TreeMap<>();
        try {
            JsonNode groups = json.readTree(get(promUrl + "/api/v1/rules")).path("data").path("groups");
            for (JsonNode g : groups) {
                g.path("rules").forEach(r -> health.put(r.path("name").asText(),
                        r.path("health").asText() + (r.hasNonNull("lastError") && !r.path("lastError").asText().isEmpty()
                                ? " (" + r.path("lastError").asText() + ")" : "")));
            }
        } catch (IOException | RuntimeException e) {
            health.put("(api)", e.toString());
        }
        return health;
    }

    private JsonNode awaitQuery(String promUrl, String expr, Process server, Path log,
                                java.util.function.Predicate<JsonNode> done) {
        JsonNode[] last = {json.createArrayNode()};
        ItSupport.awaitOrFail(60_000, () -> {
            if (!server.isAlive()) {
                throw new AssertionError("prometheus exited with " + server.exitValue() + ":\n" + ItSupport.tail(log, 30));
            }
            last[0] = query(promUrl, expr);
            return done.test(last[0]);
        }, () -> "Prometheus query " + expr + " returned " + last[0] + "\nprometheus log:\n" + ItSupport.tail(log, 20));
        return last[0];
    }

    /** The result vector of an instant query; empty while the server is not up yet or on a query error. */
    private JsonNode query(String promUrl, String expr) {
        try {
            JsonNode body = json.readTree(rawQuery(promUrl, expr));
            return "success".equals(body.path("status").asText()) ? body.path("data").path("result")
                    : json.createArrayNode();
        } catch (IOException | RuntimeException e) {
            return json.createArrayNode();
        }
    }

    private String rawQuery(String promUrl, String expr) {
        try {
            return get(promUrl + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    private static double value(JsonNode sample) {
        return Double.parseDouble(sample.path("value").get(1).asText());
    }

    /** {@code name{labels}} to name. */
    private static String metricName(String series) {
        int brace = series.indexOf('{');
        return brace < 0 ? series : series.substring(0, brace);
    }

    private static String get(String url) {
        return Http.get(url).body();
    }
}
