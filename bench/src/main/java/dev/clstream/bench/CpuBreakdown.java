package dev.clstream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where an app process's CPU went between two moments, by component: each thread's CPU time comes from
 * {@code /proc/<pid>/task} (exact), and a Java thread's is split between components in the proportions of its JDK
 * Flight Recorder samples in that interval ({@code jdk.ExecutionSample}, and {@code jdk.NativeMethodSample} where the
 * native code computes: ONNX Runtime and the tokenizer). Threads the recording never sampled are put by their name:
 * the JVM's garbage collector and compilers, and native threads no Java code runs on (ONNX Runtime's own pool).
 */
final class CpuBreakdown {
    /** The recording's sampling periods ({@code settings=profile}): a native sample stands for twice the time. */
    private static final double NATIVE_SAMPLE_WEIGHT = 2.0;

    /** Component of a sampled stack: the first frame from the top that one of these class-name prefixes matches. */
    private static final List<Map.Entry<String, String>> RULES = List.of(
            Map.entry("ai.onnxruntime.", "encoder (ONNX Runtime)"),
            Map.entry("dev.clstream.inference.Encoder", "encoder (ONNX Runtime)"),
            Map.entry("dev.clstream.inference.Workspace", "encoder (ONNX Runtime)"),
            Map.entry("ai.djl.", "tokenise"),
            Map.entry("dev.clstream.tokenize.", "tokenise"),
            Map.entry("dev.clstream.inference.", "inference, Java side (heads, planning, cache)"),
            Map.entry("dev.clstream.format.JsonOutputEncoder", "output encoding"),
            Map.entry("dev.clstream.format.AvroOutputEncoder", "output encoding"),
            Map.entry("dev.clstream.serde.AvroSerializer", "output encoding"),
            Map.entry("dev.clstream.format.", "decode"),
            Map.entry("dev.clstream.serde.", "decode"),
            Map.entry("dev.clstream.topology.DecodeProcessor", "decode"),
            Map.entry("dev.clstream.topology.EventReader", "decode"),
            Map.entry("dev.clstream.topology.PendingEventCodec", "pending store and changelog"),
            Map.entry("org.apache.kafka.streams.state.", "pending store and changelog"),
            Map.entry("dev.clstream.topology.LabelStatistics", "label statistics"),
            Map.entry("dev.clstream.topology.LabelPartials", "label statistics"),
            Map.entry("dev.clstream.topology.LabelWindowStats", "label statistics"),
            Map.entry("org.apache.kafka.streams.kstream.", "label statistics"),
            Map.entry("dev.clstream.live.", "metrics, live window, HTTP"),
            Map.entry("dev.clstream.metrics.", "metrics, live window, HTTP"),
            Map.entry("dev.clstream.http.", "metrics, live window, HTTP"),
            Map.entry("io.micrometer.", "metrics, live window, HTTP"),
            Map.entry("com.sun.net.httpserver.", "metrics, live window, HTTP"),
            Map.entry("sun.net.httpserver.", "metrics, live window, HTTP"),
            Map.entry("org.apache.kafka.clients.producer.", "producer and transactions"),
            Map.entry("org.apache.kafka.common.record.", "producer and transactions"),
            Map.entry("org.apache.kafka.clients.consumer.", "consumer (fetch)"),
            Map.entry("org.apache.kafka.common.network.", "network I/O (client side)"),
            Map.entry("org.apache.kafka.clients.", "network I/O (client side)"),
            Map.entry("dev.clstream.topology.", "batcher and output writer"),
            Map.entry("org.apache.kafka.streams.", "Kafka Streams runtime"),
            Map.entry("ch.qos.logback.", "logging"),
            Map.entry("org.slf4j.", "logging"));

    /** CPU seconds (user + system) of each thread of {@code pid} now, by thread id, with its kernel name. */
    record ThreadCpu(String comm, double seconds) {}

    static Map<Long, ThreadCpu> threads(long pid) {
        Map<Long, ThreadCpu> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(Long.parseLong(task.getFileName().toString()), new ThreadCpu(comm,
                            (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CpuMeter.TICKS_PER_SECOND));
                } catch (IOException threadEnded) {
                    // gone between the listing and the read: its time is lost to both snapshots alike
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the threads of pid " + pid, e);
        }
        return out;
    }

    /**
     * CPU seconds by component between snapshots {@code before} (at {@code from}) and {@code after} (at {@code to}),
     * from the flight recording {@code jfr}, largest first.
     */
    static Map<String, Double> of(Path jfr, Map<Long, ThreadCpu> before, Instant from, Map<Long, ThreadCpu> after,
                                  Instant to) throws IOException {
        Map<Long, Map<String, Double>> samples = new HashMap<>();
        Map<Long, String> javaNames = new HashMap<>();
        try (RecordingFile recording = new RecordingFile(jfr)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                String type = e.getEventType().getName();
                RecordedThread thread = switch (type) {
                    case "jdk.ThreadStart" -> e.getThread("thread");
                    case "jdk.ExecutionSample", "jdk.NativeMethodSample" -> e.getThread("sampledThread");
                    default -> null;
                };
                if (thread != null) {
                    javaNames.put(thread.getOSThreadId(), thread.getJavaName());
                }
                boolean execution = type.equals("jdk.ExecutionSample");
                if (!(execution || type.equals("jdk.NativeMethodSample")) || thread == null
                        || e.getStartTime().isBefore(from) || e.getStartTime().isAfter(to)) {
                    continue;
                }
                String component = component(e.getStackTrace(), execution);
                if (component != null) {
                    samples.computeIfAbsent(thread.getOSThreadId(), t -> new HashMap<>())
                            .merge(component, execution ? 1.0 : NATIVE_SAMPLE_WEIGHT, Double::sum);
                }
            }
        }
        Map<String, Double> out = new HashMap<>();
        after.forEach((tid, now) -> {
            ThreadCpu then = before.get(tid);
            double seconds = now.seconds() - (then == null ? 0 : then.seconds());
            if (seconds <= 0) {
                return;
            }
            Map<String, Double> mine = samples.get(tid);
            if (mine == null || mine.isEmpty()) {
                out.merge(unsampled(now.comm(), javaNames.get(tid)), seconds, Double::sum);
                return;
            }
            double total = mine.values().stream().mapToDouble(Double::doubleValue).sum();
            mine.forEach((component, n) -> out.merge(component, seconds * n / total, Double::sum));
        });
        Map<String, Double> sorted = new LinkedHashMap<>();
        out.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** A sample's component; null for a native sample that waits (sockets, parking) rather than computes. */
    private static String component(RecordedStackTrace stack, boolean execution) {
        if (stack == null) {
            return execution ? "other" : null;
        }
        List<RecordedFrame> frames = stack.getFrames();
        if (!execution) {
            boolean computes = frames.stream().anyMatch(f -> {
                String c = f.getMethod().getType().getName();
                return c.startsWith("ai.onnxruntime.") || c.startsWith("ai.djl.");
            });
            if (!computes) {
                return null;
            }
        }
        for (RecordedFrame f : frames) {
            String c = f.getMethod().getType().getName();
            for (Map.Entry<String, String> rule : RULES) {
                if (c.startsWith(rule.getKey())) {
                    return rule.getValue();
                }
            }
        }
        return "other (JDK and libraries, outside the above)";
    }

    /** The component of a thread no sample fell on, by its names. */
    private static String unsampled(String comm, String javaName) {
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
            return "garbage collection";
        }
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
            return "JIT compilation";
        }
        if (comm.startsWith("JFR ")) {
            return "the flight recording itself";
        }
        if (javaName == null) {
            return comm.startsWith("VM ") ? "JVM internals" : "encoder (ONNX Runtime pool threads)";
        }
        return javaName.startsWith("kafka-producer-network-thread") ? "producer and transactions"
                : "other Java threads (idle at each sample)";
    }
}
