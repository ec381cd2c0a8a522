package dev.clstream.cli;

import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.ExecutionProvider;
import picocli.CommandLine.Option;

/** Encoder options shared by the commands that run a model. */
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
        return EncoderOptions.builder()
                .provider(ExecutionProvider.parse(provider))
                .optimization(EncoderOptions.parseOptimization(optimization))
                .intraOpThreads(threads)
                .concurrency(concurrency)
                .maxBatchSize(batchSize)
                .build();
    }
}
