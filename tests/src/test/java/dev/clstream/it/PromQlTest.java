package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The metric names PromQl reads out of the kinds of expression the dashboard and the alerts use. */
class PromQlTest {
    @Test
    void readsMetricNamesAndNothingElse() {
        assertEquals(Set.of("a_bucket"), PromQl.metricNames(
                "histogram_quantile(0.99, sum by (le, label) (rate(a_bucket{instance=~\"$instance\", x=\"by(y)\"}[$__rate_interval])))"));
        assertEquals(Set.of("dead_total", "in_total"), PromQl.metricNames(
                "sum(rate(dead_total[5m])) / clamp_min(sum without (reason) (rate(in_total[5m] offset 1h)), 1e-9) > 0.05"));
        assertEquals(Set.of("x", "up"), PromQl.metricNames("up{job=\"clstream\"} == 0 or absent(up) and on (instance) x"));
        assertEquals(Set.of("clstream_model_info"),
                PromQl.templatingMetricNames("label_values(clstream_model_info, instance)"));
    }
}
