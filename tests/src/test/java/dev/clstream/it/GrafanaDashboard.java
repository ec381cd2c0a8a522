package dev.clstream.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** deploy/grafana/dashboards/clstream.json as the tests read it: its panels' PromQL and its templating queries. */
record GrafanaDashboard(JsonNode json, Map<String, String> expressions, List<String> templatingQueries) {
    static Path file() {
        return ExternalTools.deployDir().resolve("grafana/dashboards/clstream.json");
    }

    static GrafanaDashboard load() throws IOException {
        JsonNode json = new ObjectMapper().readTree(file().toFile());
        // "panel title #refId" -> expr; rows nest panels under "panels" too.
        Map<String, String> exprs = new LinkedHashMap<>();
        collect(json.path("panels"), exprs);
        List<String> templating = new ArrayList<>();
        for (JsonNode v : json.path("templating").path("list")) {
            if ("query".equals(v.path("type").asText())) {
                JsonNode q = v.path("query");
                templating.add(q.isObject() ? q.path("query").asText() : q.asText());
            }
        }
        return new GrafanaDashboard(json, exprs, templating);
    }

    private static void collect(JsonNode panels, Map<String, String> out) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr")) {
                    out.put(panel.path("title").asText() + " #" + target.path("refId").asText(),
                            target.path("expr").asText());
                }
            }
            collect(panel.path("panels"), out);
        }
    }

    /** Every metric name the dashboard queries, in panels and in templating. */
    Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        expressions.values().forEach(e -> names.addAll(PromQl.metricNames(e)));
        templatingQueries.forEach(q -> names.addAll(PromQl.templatingMetricNames(q)));
        return names;
    }

    /**
     * An expression as Grafana would send it with "all instances" picked: the dashboard's variables replaced by what
     * Grafana substitutes ($__rate_interval at least four scrape intervals; 1m here).
     */
    static String asSent(String expr) {
        return expr.replace("$__rate_interval", "1m").replace("${__rate_interval}", "1m")
                .replace("$__interval", "1m").replace("${instance}", ".*").replace("$instance", ".*");
    }
}
