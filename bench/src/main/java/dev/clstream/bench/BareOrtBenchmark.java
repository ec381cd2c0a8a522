package dev.clstream.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;

/** A bare session.run loop over the same pre-tokenised, length-sorted batches: scores are sequences/s. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BareOrtBenchmark {
    @Param({BenchTexts.SHORT, BenchTexts.EMAIL128})
    public String textSet;

    @Param({"1", "8", "32"})
    public int batchSize;

    @Param({"fp32", "int8"})
    public String precision;

    private BareOrtContender contender;

    @Setup(Level.Trial)
    public void setUp() {
        contender = BareOrtContender.open(BenchFixture.bundle(BenchFixture.Precision.of(precision)), BenchTexts.load().set(textSet).texts(), batchSize);
    }

    private final CpuMeter cpu = new CpuMeter();

    @Setup(Level.Iteration)
    public void beginIteration(IterationParams params) {
        cpu.begin(params);
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        cpu.end();
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
