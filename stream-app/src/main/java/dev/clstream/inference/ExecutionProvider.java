package dev.clstream.inference;

import java.util.Locale;

/** Where ONNX Runtime runs the graph: {@code cpu}, or {@code cuda:<device>} ({@code cuda} means device 0). */
public record ExecutionProvider(Kind kind, int deviceId) {

    public enum Kind { CPU, CUDA }

    public static final ExecutionProvider CPU = new ExecutionProvider(Kind.CPU, 0);

    public ExecutionProvider {
        if (deviceId < 0) {
            throw new IllegalArgumentException("device id must be >= 0, got " + deviceId);
        }
    }

    /** Parses "cpu", "cuda" or "cuda:N"; the message names the allowed forms. */
    public static ExecutionProvider parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("cpu")) {
            return CPU;
        }
        if (v.equals("cuda")) {
            return new ExecutionProvider(Kind.CUDA, 0);
        }
        if (v.matches("cuda:[0-9]{1,4}")) {
            return new ExecutionProvider(Kind.CUDA, Integer.parseInt(v.substring(5)));
        }
        throw new IllegalArgumentException("execution provider '" + value
                + "' is not one of: cpu, cuda, cuda:<device number>");
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + deviceId;
    }
}
