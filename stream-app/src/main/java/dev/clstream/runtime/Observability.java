package dev.clstream.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.http.HttpEndpoint;
import dev.clstream.http.InfoDocument;
import dev.clstream.http.LivePage;
import dev.clstream.http.OpsRoutes;
import dev.clstream.http.Route;
import dev.clstream.http.TokenAuth;
import dev.clstream.inference.PredictionCache;
import dev.clstream.inference.ServingEngine;
import dev.clstream.live.LiveWindow;
import dev.clstream.live.LiveWindowListener;
import dev.clstream.metrics.ClstreamMetrics;
import dev.clstream.topology.PipelineListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
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
    /** What /info shows: the first bundle's document until the model serves, then the serving model's. */
    private final AtomicReference<Supplier<ObjectNode>> info;
    private final PipelineListener listener;
    private final ClstreamConfig config;

    private Observability(ClstreamConfig config, PrometheusMeterRegistry registry, LiveWindow live, HttpEndpoint http,
                          Closer closer, AtomicReference<Supplier<ObjectNode>> info) {
        this.config = config;
        this.registry = registry;
        this.live = live;
        this.http = http;
        this.closer = closer;
        this.info = info;
        this.listener = PipelineListener.all(new ClstreamMetrics(registry), new LiveWindowListener(live));
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
        AtomicReference<Supplier<ObjectNode>> info = new AtomicReference<>(() -> InfoDocument.of(model, config));
        if (config.http().enabled()) {
            List<Route> routes = new ArrayList<>(OpsRoutes.of(registry, health, () -> info.get().get()));
            routes.addAll(LivePage.routes(live));
            http = closer.register(HttpEndpoint.start(config.http().bindAddress(embedded), config.http().port(),
                    TokenAuth.guard(routes, config.http().authToken())));
        }
        return new Observability(config, registry, live, http, closer, info);
    }

    /** Counts a retried Schema Registry request ({@code clstream_registry_retries_total}). */
    Runnable registryRetries() {
        Counter retries = Counter.builder("clstream.registry.retries")
                .description("Schema Registry requests asked again: no answer, a 5xx, an id not known yet").register(registry);
        return retries::increment;
    }

    /** Who hears about the topology's and the model's work: the meters and the live page. */
    PipelineListener listener() {
        return listener;
    }

    /**
     * The model serving: /info shows it and the versions refused; and the cache of repeated texts of its engine
     * ({@code clstream_inference_cache_*}: hits and misses per text, evictions, its estimated bytes against its
     * bound), which starts empty, its counts at 0, with each new version.
     */
    void watch(ServingModel model, ServingEngine serving) {
        info.set(() -> model.repository()
                .map(dir -> InfoDocument.of(serving.current().manifest(), config, dir, model.refused()))
                .orElseGet(() -> InfoDocument.of(serving.current().manifest(), config)));
        cacheCounter("hits", "Texts answered without the encoder: seen recently, or repeated in the same micro-batch",
                serving, PredictionCache::hits);
        cacheCounter("misses", "Texts that went to the encoder while the cache was on", serving,
                PredictionCache::misses);
        cacheCounter("evictions", "Cached results dropped, least recently used first, to stay within "
                + "inference.cache.max.bytes", serving, PredictionCache::evictions);
        Gauge.builder("clstream.inference.cache.bytes", serving, s -> s.current().cache().bytes()).baseUnit("bytes")
                .description("Estimated size of the cached results").register(registry);
        Gauge.builder("clstream.inference.cache.max.bytes", serving, s -> s.current().cache().maxBytes())
                .baseUnit("bytes").description("inference.cache.max.bytes: the cache's bound (0: off)")
                .register(registry);
    }

    private void cacheCounter(String name, String description, ServingEngine serving,
                              ToLongFunction<PredictionCache> count) {
        FunctionCounter.builder("clstream.inference.cache." + name, serving,
                s -> count.applyAsLong(s.current().cache())).description(description).register(registry);
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
