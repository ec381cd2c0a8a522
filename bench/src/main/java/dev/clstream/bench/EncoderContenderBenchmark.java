package dev.clstream.bench;

import dev.clstream.bundle.ModelBundle;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The encoder benchmarks that take a batch size: the contender opened once per trial over the text
 * set, and the measured operation (all texts encoded).
 */
public abstract class EncoderContenderBenchmark extends MeteredBenchmark {
    @Param({"1", "8", "32"})
    public int batchSize;

    private Contender contender;

    /** The contender under test over {@code texts}, at most {@code batchSize} texts per encoder run. */
    protected abstract Contender open(ModelBundle bundle, List<String> texts, int batchSize);

    @Setup(Level.Trial)
    public void setUp() {
        contender = open(BenchFixture.bundle(BenchFixture.Precision.of(precision)),
                BenchTexts.load().set(textSet).texts(), batchSize);
    }

    @Benchmark
    @OperationsPerInvocation(BenchTexts.COUNT)
    public float[][] encode() {
        return contender.run();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (contender != null) {
            contender.close();
        }
    }
}
