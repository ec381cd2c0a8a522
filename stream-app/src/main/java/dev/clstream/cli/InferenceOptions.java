package dev.clstream.cli;

import dev.clstream.bundle.BuiltInBundles;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.EncoderOptions;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Encoder options shared by the commands that run a model. They are the {@code inference.*}
 * configuration keys under other names, so they are checked and turned into {@link EncoderOptions}
 * by {@link ClstreamConfig}, exactly as for {@code run}.
 */
final class InferenceOptions {
    @Option(names = "--bundle", paramLabel = "DIR|NAME",
            description = "Model bundle directory, or the name of a built-in bundle (default: " + BuiltInBundles.DEFAULT_BUNDLE + ")")
    String bundle;

    @Option(names = "--provider", defaultValue = "cpu",
            description = "Execution provider: cpu, cuda or cuda:<device>. Default: ${DEFAULT-VALUE}")
    String provider;

    @Option(names = "--threads", description = "ONNX Runtime intra-op threads per run (default: cores / concurrency)")
    Integer threads;

    @Option(names = "--concurrency", description = "Encoder runs at once (default: cores on cpu, 1 on cuda)")
    Integer concurrency;

    @Option(names = "--batch-size", description = "Max texts per encoder run (default: 1 on cpu, 256 on cuda)")
    Integer batchSize;

    @Option(names = "--optimization", defaultValue = "all",
            description = "Graph optimisation level: none, basic, extended, all. Default: ${DEFAULT-VALUE}")
    String optimization;

    EncoderOptions toEncoderOptions() {
        Map<String, String> keys = new HashMap<>();
        keys.put(ClstreamConfig.INFERENCE_PROVIDER, provider);
        keys.put(ClstreamConfig.INFERENCE_OPTIMIZATION, optimization);
        putIfSet(keys, ClstreamConfig.INFERENCE_THREADS, threads);
        putIfSet(keys, ClstreamConfig.INFERENCE_CONCURRENCY, concurrency);
        putIfSet(keys, ClstreamConfig.INFERENCE_BATCH_SIZE, batchSize);
        return ClstreamConfig.of(keys).encoderOptions();
    }

    /** The options of a command that takes only {@code --provider}. */
    static EncoderOptions forProvider(String provider) {
        return ClstreamConfig.of(Map.of(ClstreamConfig.INFERENCE_PROVIDER, provider)).encoderOptions();
    }

    private static void putIfSet(Map<String, String> keys, String key, Integer value) {
        if (value != null) {
            keys.put(key, value.toString());
        }
    }
}
