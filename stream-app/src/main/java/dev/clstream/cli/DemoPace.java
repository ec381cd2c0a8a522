package dev.clstream.cli;

import java.util.Locale;
import java.util.OptionalDouble;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How fast {@code clstream demo} feeds (its {@code --rate}): {@code auto}, the default, measures what
 * the machine sustains during its first seconds and then feeds at 70% of it, so the latency it
 * prints is the app's and not a queue's; a number feeds that many events per second; {@code max}
 * feeds as fast as the producer goes and builds a backlog on purpose.
 */
final class DemoPace {
    /** The share of the sustained rate that auto feeds at: enough headroom that no queue builds up. */
    static final double AUTO_SHARE = 0.7;
    /** How long auto lets the pipeline warm up after its first answer (JIT, first windows) before measuring. */
    static final long WARMUP_NANOS = 2_000_000_000L;
    /** How long auto measures, and how many answers it needs at least. */
    static final long CALIBRATION_NANOS = 5_000_000_000L;
    static final long CALIBRATION_MIN_EVENTS = 20;

    private final String value;
    private final double fixedRate;
    private long firstAnswerNanos = -1;
    private long measureFromNanos = -1;
    private long measureFromAnswered;
    private boolean calibrated;

    private DemoPace(String value, double fixedRate) {
        this.value = value;
        this.fixedRate = fixedRate;
    }

    static DemoPace parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            return new DemoPace(v, 0);
        }
        if (v.equals("max")) {
            return new DemoPace(v, Double.POSITIVE_INFINITY);
        }
        try {
            double rate = Double.parseDouble(v);
            if (rate > 0 && Double.isFinite(rate)) {
                return new DemoPace(v, rate);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--rate must be auto, max or a number of events per second > 0, got '"
                + value + "'");
    }

    boolean auto() {
        return fixedRate == 0;
    }

    /**
     * The rate the feeder starts at, in events per second: the fixed one, infinity for max, and 0 for
     * auto, which the feeder takes as "keep a small window ahead of the answers": the pipeline is kept
     * busy without a backlog while its pace is measured.
     */
    double initialRate() {
        return fixedRate;
    }

    /**
     * Auto only: called with the number of events answered so far; once the measurement is done
     * (a warm-up after the first answer, then at least {@link #CALIBRATION_NANOS} and
     * {@link #CALIBRATION_MIN_EVENTS}), returns the rate to feed at from then on (once), else empty.
     */
    OptionalDouble observe(long answered, long nowNanos) {
        if (!auto() || calibrated || answered == 0) {
            return OptionalDouble.empty();
        }
        if (firstAnswerNanos < 0) {
            firstAnswerNanos = nowNanos;
            return OptionalDouble.empty();
        }
        if (measureFromNanos < 0) {
            if (nowNanos - firstAnswerNanos >= WARMUP_NANOS) {
                measureFromNanos = nowNanos;
                measureFromAnswered = answered;
            }
            return OptionalDouble.empty();
        }
        long elapsed = nowNanos - measureFromNanos;
        long events = answered - measureFromAnswered;
        if (elapsed < CALIBRATION_NANOS || events < CALIBRATION_MIN_EVENTS) {
            return OptionalDouble.empty();
        }
        calibrated = true;
        return OptionalDouble.of(AUTO_SHARE * events / (elapsed / 1e9));
    }

    /** What the start line says about the pace. */
    String describe() {
        if (auto()) {
            return String.format(Locale.ROOT, "measuring what this machine sustains for %d s, then feeding at %.0f%% "
                    + "of it (--rate N or --rate max to change)", (WARMUP_NANOS + CALIBRATION_NANOS) / 1_000_000_000L,
                    AUTO_SHARE * 100);
        }
        if (fixedRate == Double.POSITIVE_INFINITY) {
            return "feeding as fast as the producer goes (--rate max): a backlog builds up, so the latency shown is "
                    + "mostly time spent queueing, not the app's";
        }
        return String.format(Locale.ROOT, "feeding %s events/s (--rate)", value);
    }

    /** picocli: a bad {@code --rate} is a usage error naming the allowed values. */
    static final class Converter implements ITypeConverter<DemoPace> {
        @Override
        public DemoPace convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
