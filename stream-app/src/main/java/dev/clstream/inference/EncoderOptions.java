package dev.clstream.inference;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.util.Locale;

/**
 * How the encoder runs: execution provider, ONNX Runtime threads per run, how many runs may go at
 * once, graph optimisation level, and the limits of one encoder run (texts, padded tokens) used when
 * a window of texts is split into length-sorted runs ({@link RunPlanner}), and the size of the cache of
 * repeated texts ({@link PredictionCache}). Immutable; {@link #builder()} starts from defaults suited to the provider.
 *
 * <p>CPU defaults follow measurements on small machines (see bench/README.md): several
 * single-threaded runs side by side beat one multi-threaded run, and one text per run beats batches
 * because the matrix products are compute-bound already at a few dozen rows. On a GPU a single
 * stream with large batches is what keeps it busy.
 */
public record EncoderOptions(
        ExecutionProvider provider,
        int intraOpThreads,
        int concurrency,
        OptLevel optimization,
        int maxTextsPerRun,
        int maxPaddedTokensPerRun,
        long cacheMaxBytes,
        boolean lowPriority,
        RunInterceptor interceptor) {

    public EncoderOptions {
        check(intraOpThreads >= 1, "intra-op threads", intraOpThreads, ">= 1");
        check(concurrency >= 1, "concurrency", concurrency, ">= 1");
        check(maxTextsPerRun >= 1, "max texts per run", maxTextsPerRun, ">= 1");
        check(maxPaddedTokensPerRun >= 1, "max padded tokens per run", maxPaddedTokensPerRun, ">= 1");
        if (cacheMaxBytes < 0) {
            throw new IllegalArgumentException("cache size must be >= 0 bytes, got " + cacheMaxBytes);
        }
        interceptor = interceptor == null ? RunInterceptor.NONE : interceptor;
    }

    public static EncoderOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.provider = provider;
        b.intraOpThreads = intraOpThreads;
        b.concurrency = concurrency;
        b.optimization = optimization;
        b.maxTextsPerRun = maxTextsPerRun;
        b.maxPaddedTokensPerRun = maxPaddedTokensPerRun;
        b.cacheMaxBytes = cacheMaxBytes;
        b.lowPriority = lowPriority;
        b.interceptor = interceptor;
        return b;
    }

    /** Parses "none", "basic", "extended" or "all". */
    public static OptLevel parseOptimization(String value) {
        return switch (value == null ? "" : value.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> OptLevel.NO_OPT;
            case "basic" -> OptLevel.BASIC_OPT;
            case "extended" -> OptLevel.EXTENDED_OPT;
            case "all" -> OptLevel.ALL_OPT;
            default -> throw new IllegalArgumentException("graph optimisation level '" + value
                    + "' is not one of: none, basic, extended, all");
        };
    }

    private static void check(boolean ok, String what, int value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException(what + " must be " + allowed + ", got " + value);
        }
    }

    public static final class Builder {
        private ExecutionProvider provider = ExecutionProvider.CPU;
        private Integer intraOpThreads;
        private Integer concurrency;
        private OptLevel optimization = OptLevel.ALL_OPT;
        private Integer maxTextsPerRun;
        private Integer maxPaddedTokensPerRun;
        private long cacheMaxBytes;
        private boolean lowPriority;
        private RunInterceptor interceptor = RunInterceptor.NONE;

        private Builder() {}

        public Builder provider(ExecutionProvider provider) {
            this.provider = provider;
            return this;
        }

        /** Null: the provider's default (cores / concurrency on cpu). */
        public Builder intraOpThreads(Integer threads) {
            this.intraOpThreads = threads;
            return this;
        }

        /** Null: the provider's default (cores on cpu, 1 on cuda). */
        public Builder concurrency(Integer runs) {
            this.concurrency = runs;
            return this;
        }

        public Builder optimization(OptLevel level) {
            this.optimization = level;
            return this;
        }

        /**
         * Null: the provider's default, 256 on cuda and 1 on cpu. On CPU the matrix products are
         * compute-bound already at one text of a few dozen tokens, so batching gains nothing there,
         * while one text per run has no padding and, with a run per core, no idle tail.
         */
        public Builder maxTextsPerRun(Integer texts) {
            this.maxTextsPerRun = texts;
            return this;
        }

        /** Upper bound on padded tokens (texts x longest text) in one run. */
        public Builder maxPaddedTokensPerRun(int tokens) {
            this.maxPaddedTokensPerRun = tokens;
            return this;
        }

        /**
         * Bound on the {@link PredictionCache} of repeated token sequences, in estimated bytes; 0 (the
         * default here: a library caller decides) turns it off.
         */
        public Builder optCacheMaxBytes(long bytes) {
            this.cacheMaxBytes = bytes;
            return this;
        }

        /**
         * Whether the encoder's runner threads ask the OS for the lowest CPU priority ({@link LowPriority}), so that
         * this engine's runs use only what other work leaves: for a shadow model beside the serving one. Off by
         * default.
         */
        public Builder optLowPriority(boolean low) {
            this.lowPriority = low;
            return this;
        }

        /** A seam for tests: called before each encoder run (see {@link RunInterceptor}); none by default. */
        public Builder optRunInterceptor(RunInterceptor interceptor) {
            this.interceptor = interceptor;
            return this;
        }

        public EncoderOptions build() {
            boolean gpu = provider.kind() == ExecutionProvider.Kind.CUDA;
            int cores = Runtime.getRuntime().availableProcessors();
            int runs = concurrency != null ? concurrency : gpu ? 1 : cores;
            check(runs >= 1, "concurrency", runs, ">= 1");
            int threads = intraOpThreads != null ? intraOpThreads : gpu ? 1 : Math.max(1, cores / runs);
            int texts = maxTextsPerRun != null ? maxTextsPerRun : gpu ? 256 : 1;
            int tokens = maxPaddedTokensPerRun != null ? maxPaddedTokensPerRun : Integer.MAX_VALUE;
            return new EncoderOptions(provider, threads, runs, optimization, texts, tokens, cacheMaxBytes, lowPriority,
                    interceptor);
        }
    }
}
