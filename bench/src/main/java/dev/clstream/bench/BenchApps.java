package dev.clstream.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The settings of an application the multi-process benches run, and its output topics, created on the broker. */
final class BenchApps {
    private BenchApps() {}

    /**
     * Waits for {@code instance} to be ready and for {@code labels} to count {@code events}; the rate between the
     * moments 10% and 90% of them were labeled, warning when 10% came before the instance was ready (the rate would
     * include start-up).
     */
    static double backlogRate(AppProcess instance, CommittedCounter labels, int events) throws InterruptedException {
        instance.awaitReady(Duration.ofMinutes(2));
        long ready = System.nanoTime();
        labels.await(events, Duration.ofMinutes(30));
        if (labels.reached(events / 10) < ready) {
            System.out.println("warning: 10% of the events were labeled before the instance was ready: the rate "
                    + "includes start-up; run more events");
        }
        return labels.rate(events / 10, events * 9 / 10);
    }

    /** Text {@code i} of a backlog that never repeats: a corpus text with its own number (a few more tokens). */
    static String uniqueText(List<String> corpus, int i, String tag) {
        return corpus.get(i % corpus.size()) + " (" + tag + " " + i + ")";
    }

    /** The first {@code n} texts of a backlog that never repeats ({@link #uniqueText}). */
    static List<String> uniqueTexts(List<String> corpus, int n, String tag) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> uniqueText(corpus, i, tag)).toList();
    }

    /**
     * Settings for application {@code app} reading {@code input} (plain-text values, the id in the key) and writing
     * JSON to its own topics, made here with {@code partitions} partitions; no registry is needed; the repeat cache
     * off.
     */
    static Map<String, String> settings(BenchCluster cluster, String app, String input, int partitions, Path work)
            throws Exception {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("application.id", app);
        s.put("input.topic", input);
        s.put("input.format", "text");
        s.put("output.format", "json");
        for (String key : List.of("labels.topic", "embeddings.topic", "dead.letter.topic", "label.stats.topic")) {
            String topic = app + "-" + key.substring(0, key.length() - ".topic".length()).replace('.', '-');
            cluster.createTopic(topic, partitions, Map.of());
            s.put(key, topic);
        }
        s.put("state.dir", work.resolve(app + "-state").toString());
        // The benches cycle through a sample of 96 texts: with the repeat cache on, most events would skip the encoder
        // and a bench would measure the cache. RepeatCacheBench turns it on where that is what it measures.
        s.put("inference.cache.max.bytes", "0");
        return s;
    }
}
