package dev.clstream.runtime;

import dev.clstream.bundle.BundleManifest;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.http.HttpEndpoint;
import dev.clstream.http.InfoDocument;
import dev.clstream.http.LivePage;
import dev.clstream.http.OpsRoutes;
import dev.clstream.http.Route;
import dev.clstream.http.TokenAuth;
import dev.clstream.live.LiveWindow;
import dev.clstream.live.LiveWindowListener;
import dev.clstream.metrics.ClstreamMetrics;
import dev.clstream.topology.PipelineListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What the app shows of itself: Prometheus metrics (its own, the JVM's, and Kafka Streams'), the
 * live page's window, the health it reports, and the HTTP endpoint that serves them (when enabled).
 * The endpoint starts before the model loads, so that probes can see it load.
 */
final class Observability {
    private final PrometheusMeterRegistry registry;
    private final LiveWindow live;
    private final HttpEndpoint http;
    private final Closer closer;

    private Observability(PrometheusMeterRegistry registry, LiveWindow live, HttpEndpoint http, Closer closer) {
        this.registry = registry;
        this.live = live;
        this.http = http;
        this.closer = closer;
    }

    /** Starts the meters and, when enabled, the HTTP endpoint; everything opened is registered with {@code closer}. */
    static Observability start(ClstreamConfig config, boolean embedded, BundleManifest model, RuntimeHealth health,
                               Closer closer) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        closer.register(registry::close);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        FunctionCounter.builder("clstream.stream.thread.replacements", health, RuntimeHealth::threadReplacements)
                .description("Stream threads that failed and were replaced").register(registry);
        LiveWindow live = new LiveWindow(model.labels(), config.live().lowConfidenceThreshold(),
                config.live().showTexts(embedded));
        HttpEndpoint http = null;
        if (config.http().enabled()) {
            List<Route> routes = new ArrayList<>(OpsRoutes.of(registry, health, InfoDocument.of(model, config)));
            routes.addAll(LivePage.routes(live));
            http = closer.register(HttpEndpoint.start(config.http().bindAddress(embedded), config.http().port(),
                    TokenAuth.guard(routes, config.http().authToken())));
        }
        return new Observability(registry, live, http, closer);
    }

    /** Counts a retried Schema Registry request ({@code clstream_registry_retries_total}). */
    Runnable registryRetries() {
        Counter retries = Counter.builder("clstream.registry.retries")
                .description("Schema Registry requests asked again: no answer, a 5xx, an id not known yet").register(registry);
        return retries::increment;
    }

    /** Who hears about the topology's work: the meters and the live page. */
    PipelineListener listener() {
        return PipelineListener.all(new ClstreamMetrics(registry), new LiveWindowListener(live));
    }

    /** Streams' own metrics (lag, process rate, commit latency...), read from its registry at each scrape. */
    void watch(KafkaStreams streams) {
        closer.register(new KafkaStreamsMetrics(streams)).bindTo(registry);
    }

    /** The HTTP endpoint; null when disabled. */
    HttpEndpoint http() {
        return http;
    }
}
