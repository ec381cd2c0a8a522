package dev.clstream.inference;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EncoderOptionsTest {

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @ParameterizedTest
    @CsvSource({"none, NO_OPT", "basic, BASIC_OPT", "extended, EXTENDED_OPT", "all, ALL_OPT",
            "ALL, ALL_OPT", "' Basic ', BASIC_OPT"})
    void parsesOptimisationLevels(String text, OptLevel expected) {
        assertEquals(expected, EncoderOptions.parseOptimization(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fast", "", "0", "no_opt", "all_opt", "extend"})
    void rejectsUnknownOptimisationLevelsNamingTheAllowedOnes(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EncoderOptions.parseOptimization(text));
        assertMessageNames(e, "'" + text + "'");
        assertMessageNames(e, "none, basic, extended, all");
    }

    @Test
    void rejectsNullOptimisationLevel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EncoderOptions.parseOptimization(null));
        assertMessageNames(e, "none, basic, extended, all");
    }

    @Test
    void cpuDefaults() {
        EncoderOptions o = EncoderOptions.defaults();
        assertEquals(ExecutionProvider.CPU, o.provider());
        assertEquals(CORES, o.concurrency());
        assertEquals(1, o.intraOpThreads()); // cores / concurrency
        assertEquals(1, o.maxTextsPerRun());
        assertEquals(Integer.MAX_VALUE, o.maxPaddedTokensPerRun());
        assertEquals(OptLevel.ALL_OPT, o.optimization());
        assertEquals(o, EncoderOptions.builder().build());
    }

    @Test
    void cpuThreadsShareTheCoresBetweenRuns() {
        assertEquals(Math.max(1, CORES / 3), EncoderOptions.builder().concurrency(3).build().intraOpThreads());
        assertEquals(CORES, EncoderOptions.builder().concurrency(1).build().intraOpThreads());
        assertEquals(1, EncoderOptions.builder().concurrency(CORES * 4).build().intraOpThreads());
        assertEquals(5, EncoderOptions.builder().concurrency(2).intraOpThreads(5).build().intraOpThreads());
    }

    @Test
    void cudaDefaults() {
        EncoderOptions o = EncoderOptions.builder().provider(ExecutionProvider.parse("cuda:1")).build();
        assertEquals(new ExecutionProvider(ExecutionProvider.Kind.CUDA, 1), o.provider());
        assertEquals(1, o.concurrency());
        assertEquals(1, o.intraOpThreads());
        assertTrue(o.maxTextsPerRun() > EncoderOptions.defaults().maxTextsPerRun(),
                "a GPU wants larger batches than the CPU default, got " + o.maxTextsPerRun());
        assertEquals(Integer.MAX_VALUE, o.maxPaddedTokensPerRun());
    }

    @Test
    void explicitValuesWin() {
        EncoderOptions o = EncoderOptions.builder().provider(ExecutionProvider.parse("cuda")).concurrency(3)
                .intraOpThreads(2).maxTextsPerRun(17).maxPaddedTokensPerRun(999).optimization(OptLevel.BASIC_OPT).build();
        assertEquals(3, o.concurrency());
        assertEquals(2, o.intraOpThreads());
        assertEquals(17, o.maxTextsPerRun());
        assertEquals(999, o.maxPaddedTokensPerRun());
        assertEquals(OptLevel.BASIC_OPT, o.optimization());
        assertEquals(o, o.toBuilder().build());
        assertEquals(4, o.toBuilder().maxTextsPerRun(4).build().maxTextsPerRun());
        assertEquals(3, o.toBuilder().maxTextsPerRun(4).build().concurrency());
    }

    @ParameterizedTest
    @CsvSource({
            "intraOpThreads, 0, intra-op threads", "intraOpThreads, -2, intra-op threads",
            "concurrency, -1, concurrency",
            "maxTextsPerRun, 0, max texts per run", "maxTextsPerRun, -8, max texts per run",
            "maxPaddedTokensPerRun, 0, max padded tokens per run", "maxPaddedTokensPerRun, -1, max padded tokens per run"})
    void invalidValuesAreRejectedNamingTheOption(String option, int value, String named) {
        UnaryOperator<EncoderOptions.Builder> set = switch (option) {
            case "intraOpThreads" -> b -> b.intraOpThreads(value);
            case "concurrency" -> b -> b.concurrency(value);
            case "maxTextsPerRun" -> b -> b.maxTextsPerRun(value);
            default -> b -> b.maxPaddedTokensPerRun(value);
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> set.apply(EncoderOptions.builder()).build());
        assertMessageNames(e, named, "got " + value);
    }

    @Test
    void zeroConcurrencyIsRejectedNamingTheOptionWhenThreadsAreGiven() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EncoderOptions.builder().concurrency(0).intraOpThreads(1).build());
        assertMessageNames(e, "concurrency", "got 0");
    }

    @Test
    void zeroConcurrencyWithDefaultThreadsIsRejectedNamingTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EncoderOptions.builder().concurrency(0).build());
        assertMessageNames(e, "concurrency");
    }

    @Test
    void recordConstructorChecksToo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EncoderOptions(ExecutionProvider.CPU, 1, 1, OptLevel.ALL_OPT, 0, 10, 0, false, null));
        assertMessageNames(e, "max texts per run");
    }
}
