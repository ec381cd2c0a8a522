package dev.clstream.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.Classification;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.LowPriority;
import dev.clstream.inference.Outcome;
import dev.clstream.inference.ServingEngine;
import dev.clstream.topology.PipelineListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A candidate model ({@code model.shadow.bundle}) run beside the serving one on a sample of events: as the serving
 * model's label for an event is written, the event is offered to the shadow's own thread, which classifies it and
 * reports agreement ({@link PipelineListener#shadowCompared}: metrics and the live page) and, with
 * {@code shadow.topic}, writes each result with the serving model's label. It never writes to the labels topic and
 * never holds up the stream: the sample waits in a bounded queue, and what does not fit is skipped and counted.
 *
 * <p>Events are sampled by a hash of their id, so the same events are compared after a restart. Shadow results are
 * written outside the stream's transactions (they are an analysis aid, not outputs): an event read again after a
 * crash may be compared twice.
 */
final class ShadowModel implements PipelineListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShadowModel.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Sampled events that may wait: a few seconds of a busy stream at the default rate. */
    static final int QUEUE_CAPACITY = 1024;
    /** Texts the shadow takes through its encoder at once. */
    static final int BATCH = 32;
    private static final long SAMPLE_SCALE = 1L << 24;

    private final ServingModel model;
    private final ServingEngine engine;
    private final long sampleBelow;
    private final PipelineListener report;
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final BlockingQueue<Sample> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread worker;
    private volatile boolean running = true;

    /** One sampled event with the serving model's answer. */
    private record Sample(String id, String text, String label, float score, String primaryModel) {}

    private ShadowModel(ServingModel model, ServingEngine engine, double rate, PipelineListener report, String topic,
                        KafkaProducer<byte[], byte[]> producer) {
        this.model = model;
        this.engine = engine;
        this.sampleBelow = Math.round(rate * SAMPLE_SCALE);
        this.report = report;
        this.topic = topic;
        this.producer = producer;
        this.worker = new Thread(this::run, "clstream-shadow");
        worker.setDaemon(true);
    }

    /**
     * Loads and checks the shadow model as the serving one is checked (a repository is polled the same way), and
     * starts its thread; none when {@code model.shadow.bundle} is empty.
     */
    static ShadowModel start(ClstreamConfig config, PipelineListener report) {
        if (config.shadowBundle().isEmpty()) {
            return null;
        }
        // One encoder run at a time on one thread, at the lowest CPU priority: the shadow takes at most a core, and
        // only what the serving model leaves of it. No cache: it sees a sample, and its memory is not budgeted.
        ServingModel model = ServingModel.locate(config, config.shadowBundle(), config.encoderOptions().toBuilder()
                .concurrency(1).intraOpThreads(1).optLowPriority(true).optCacheMaxBytes(0).build());
        KafkaProducer<byte[], byte[]> producer = null;
        try {
            ServingEngine engine = model.start(null, PipelineListener.NONE);
            if (!config.shadowTopic().isEmpty()) {
                var props = config.producerProperties();
                props.put(ProducerConfig.CLIENT_ID_CONFIG, "clstream-shadow");
                producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
            }
            ShadowModel shadow = new ShadowModel(model, engine, config.shadowSampleRate(), report, config.shadowTopic(),
                    producer);
            shadow.worker.start();
            LOG.info("shadow model {} runs on {}% of events{}", engine.current().manifest().id(),
                    config.shadowSampleRate() * 100, producer == null ? "" : ", results to " + config.shadowTopic());
            return shadow;
        } catch (RuntimeException e) {
            if (producer != null) {
                producer.close(Duration.ZERO);
            }
            model.close();
            throw e;
        }
    }

    /** Whether {@code id} is among the sampled events: a mixed hash of it against the rate, the same every time. */
    boolean sampled(String id) {
        long h = id.hashCode() * 0x9E3779B97F4A7C15L;
        return (h >>> 40) < sampleBelow;
    }

    @Override
    public void classified(String primaryModel, String id, String text, String label, double confidence) {
        if (!running || id == null || !sampled(id)) {
            return;
        }
        if (!queue.offer(new Sample(id, text, label, (float) confidence, primaryModel))) {
            report.shadowSkipped();
        }
    }

    private void run() {
        // Its tokenising and bookkeeping yield to the stream too, as its encoder runs do.
        LowPriority.lowerCurrentThread();
        List<Sample> batch = new ArrayList<>(BATCH);
        while (running) {
            try {
                Sample first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                compare(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The shadow is an aid: a failure costs its samples (counted as skipped), never the stream.
                LOG.warn("the shadow model failed on {} sampled events: {}", batch.size(), e.toString());
                batch.forEach(s -> report.shadowSkipped());
            } finally {
                batch.clear();
            }
        }
    }

    private void compare(List<Sample> batch) {
        try (ServingEngine.Lease lease = engine.lease()) {
            InferenceEngine shadow = lease.engine();
            BundleManifest m = shadow.manifest();
            // A text the shadow refuses, or fails on, is compared as no label: a disagreement worth seeing.
            List<Outcome> outcomes = shadow.classify(batch.stream().map(Sample::text).toList());
            for (int i = 0; i < outcomes.size(); i++) {
                Classification c = outcomes.get(i) instanceof Outcome.Success ok ? ok.prediction().classification()
                        : null;
                Sample s = batch.get(i);
                report.shadowCompared(m.id(), s.label(), c == null ? null : c.label());
                if (producer != null) {
                    producer.send(new ProducerRecord<>(topic, s.id().getBytes(StandardCharsets.UTF_8),
                            result(s, m, c)), (md, e) -> {
                                if (e != null) {
                                    LOG.warn("a shadow result was not written to {}: {}", topic, e.toString());
                                }
                            });
                }
            }
        }
    }

    private static byte[] result(Sample s, BundleManifest m, Classification c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", s.id());
        n.put("primary_model", s.primaryModel());
        n.put("primary_label", s.label());
        n.put("primary_score", s.score());
        n.put("shadow_model", m.id());
        if (c != null) {
            n.put("shadow_label", c.label());
            n.put("shadow_score", c.score());
            ObjectNode p = n.putObject("shadow_probabilities");
            c.asMap().forEach(p::put);
            n.put("agree", c.label().equals(s.label()));
        } else {
            n.putNull("shadow_label");
            n.put("agree", false);
        }
        n.put("time", System.currentTimeMillis());
        try {
            return JSON.writeValueAsBytes(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the thread (a comparison in progress finishes), then the producer and the shadow's engine. */
    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        } finally {
            model.close();
        }
    }
}
