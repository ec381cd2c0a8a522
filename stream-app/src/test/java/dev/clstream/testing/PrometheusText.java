package dev.clstream.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A scraped Prometheus text exposition, as series name with labels (exactly as written, e.g.
 * {@code clstream_events_out_total{output="labels"}}) to value. Enough for tests to read counts back.
 */
public final class PrometheusText {
    private final String text;
    private final Map<String, Double> series;

    private PrometheusText(String text, Map<String, Double> series) {
        this.text = text;
        this.series = series;
    }

    /** The scrape as it was read. */
    public String text() {
        return text;
    }

    public static PrometheusText parse(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return new PrometheusText(text, series);
    }

    /** The series' value; fails naming what was scraped when it is absent. */
    public double value(String seriesWithLabels) {
        Double v = series.get(seriesWithLabels);
        if (v == null) {
            throw new AssertionError("no series " + seriesWithLabels + " in the scrape:\n" + text);
        }
        return v;
    }

    public double valueOr(String seriesWithLabels, double absent) {
        return series.getOrDefault(seriesWithLabels, absent);
    }

    public boolean has(String seriesWithLabels) {
        return series.containsKey(seriesWithLabels);
    }

    public Map<String, Double> all() {
        return Map.copyOf(series);
    }
}
