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

/**
 * langchain4j's {@code embedAll} on the same texts: scores are sequences/s. It has no batch size
 * (one text per run on its own executor), so it runs once per text set. Its ONNX session is a
 * static of the library with no way to close it; the forked JVM ends after the trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Langchain4jBenchmark {
    @Param({BenchTexts.SHORT, BenchTexts.EMAIL128})
    public String textSet;

    @Param({"fp32", "int8"})
    public String precision;

    private Langchain4jContender contender;

    @Setup(Level.Trial)
    public void setUp() {
        contender = Langchain4jContender.open(BenchFixture.Precision.of(precision), BenchTexts.load().set(textSet).texts());
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
    public Object embedAll() {
        return contender.run();
    }
}
