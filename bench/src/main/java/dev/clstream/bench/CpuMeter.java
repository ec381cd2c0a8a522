package dev.clstream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * How much CPU the benchmark's own JVM and everything else on the machine used during each
 * measurement iteration, from the process CPU time and the machine-wide busy time in /proc/stat.
 * The machine is shared; "others" shows how much of the 2 cores other work took while a row was
 * measured. Each measurement iteration appends "wall_s own_cpu_s machine_busy_s" to the file named
 * by {@value #LOG_PROPERTY}, if set.
 */
final class CpuMeter {
    static final String LOG_PROPERTY = "clstream.bench.cpu-log";
    /** USER_HZ: /proc/stat and /proc/PID/stat count in 1/100 s on Linux. */
    static final double TICKS_PER_SECOND = 100.0;

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private boolean measuring;
    private long wall0;
    private long own0;
    private double busy0;

    void begin(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT && System.getProperty(LOG_PROPERTY) != null;
        if (measuring) {
            busy0 = machineBusySeconds();
            own0 = os.getProcessCpuTime();
            wall0 = System.nanoTime();
        }
    }

    void end() {
        if (!measuring) {
            return;
        }
        double wall = (System.nanoTime() - wall0) / 1e9;
        double own = (os.getProcessCpuTime() - own0) / 1e9;
        double busy = machineBusySeconds() - busy0;
        try {
            Files.writeString(Paths.get(System.getProperty(LOG_PROPERTY)),
                    String.format(Locale.ROOT, "%.3f %.3f %.3f%n", wall, own, busy),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CPU seconds this JVM has used, all threads. */
    static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /** Machine-wide busy time (user, nice, system, irq, softirq, steal) in seconds, summed over CPUs. */
    static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return busy / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Mean cores used by the benchmark JVM and by everything else, over the iterations logged in {@code log}. */
    static double[] summarize(Path log) throws IOException {
        if (!Files.isRegularFile(log)) {
            return new double[] {Double.NaN, Double.NaN};
        }
        List<String> lines = Files.readAllLines(log);
        double wall = 0;
        double own = 0;
        double busy = 0;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            wall += Double.parseDouble(f[0]);
            own += Double.parseDouble(f[1]);
            busy += Double.parseDouble(f[2]);
        }
        return new double[] {own / wall, Math.max(0, busy - own) / wall};
    }
}
