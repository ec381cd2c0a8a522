package dev.clstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clstream.event.TextPreview;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongSupplier;

/** What {@code clstream demo} prints: each labeled event, and every two seconds a throughput and latency line. */
final class DemoReport {
    private static final long TICK_NANOS = 2_000_000_000L;
    private final PrintWriter out;
    private final PrintWriter status;
    private final LongSupplier produced;
    private final long start = System.nanoTime();
    private final long[] latencies = new long[2048];
    private long latencyCount;
    /** Only events stamped from then on (epoch millis) count towards latency. */
    private long latencySince = 1;
    private long labeled;
    private long correct;
    private long known;
    private long deadLetters;
    private long lastTick = System.nanoTime();
    private long labeledAtLastTick;

    /** Whether the demo is still measuring its pace: a queue is kept on purpose, and latency includes it. */
    private boolean measuring;

    DemoReport(PrintWriter out, PrintWriter status, LongSupplier produced, boolean measuring) {
        this.out = out;
        this.status = status;
        this.produced = produced;
        this.measuring = measuring;
    }

    long labeled() {
        return labeled;
    }

    void labeled(JsonNode event, String expected, String text) {
        String label = event.path("label").asText();
        long eventTime = event.path("event_time").asLong(0);
        if (eventTime >= latencySince) {
            latencies[(int) (latencyCount++ % latencies.length)] = System.currentTimeMillis() - eventTime;
        }
        labeled++;
        String mark = " ";
        if (expected != null) {
            known++;
            boolean right = expected.equals(label);
            correct += right ? 1 : 0;
            mark = right ? "✓" : "✗";
        }
        out.printf(Locale.ROOT, "%s %-5s %.3f  %-22s %s%n", mark, label, event.path("score").asDouble(),
                TextPreview.oneLine(event.path("id").asText(), 22), TextPreview.oneLine(text, 70));
    }

    /**
     * Says why on the status line and forgets the latencies so far: only events sent from now on
     * count, measured at the new pace.
     */
    void restartLatencies(String why) {
        latencyCount = 0;
        latencySince = System.currentTimeMillis();
        measuring = false;
        out.flush();
        status.println(why + "; latency measured afresh");
        status.flush();
    }

    void deadLetters(int n) {
        deadLetters += n;
    }

    long deadLetterCount() {
        return deadLetters;
    }

    void tick() {
        long now = System.nanoTime();
        if (now - lastTick >= TICK_NANOS) {
            double rate = (labeled - labeledAtLastTick) / ((now - lastTick) / 1e9);
            lastTick = now;
            labeledAtLastTick = labeled;
            out.flush();
            status.println(line(rate));
            status.flush();
        }
    }

    void summary() {
        double secs = (System.nanoTime() - start) / 1e9;
        out.flush();
        status.println("clstream demo: " + line(labeled / Math.max(secs, 1e-9)) + String.format(Locale.ROOT,
                " over %.0f s", secs));
        status.flush();
    }

    private String line(double rate) {
        int n = (int) Math.min(latencyCount, latencies.length);
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        String latency = n == 0 ? "-" : String.format(Locale.ROOT, "p50 %.2f s, p99 %.2f s%s", sorted[n / 2] / 1000.0,
                sorted[Math.min(n - 1, (int) (n * 0.99))] / 1000.0, measuring ? " (measuring the pace: queueing included)"
                        : "");
        return String.format(Locale.ROOT, "[%.1f events/s] produced %d, labeled %d, dead letters %d, "
                        + "latency %s, agrees with the true label %s", rate, produced.getAsLong(), labeled, deadLetters, latency,
                known == 0 ? "-" : percent((double) correct / known));
    }

    static String percent(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v * 100);
    }
}
