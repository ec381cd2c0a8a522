package dev.clstream.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;

/**
 * What every encoder benchmark shares: throughput in sequences/s over a text set and a precision,
 * with the CPU the benchmark and everything else used recorded per iteration ({@link CpuMeter}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public abstract class MeteredBenchmark {
    @Param({BenchTexts.SHORT, BenchTexts.EMAIL128})
    public String textSet;

    @Param({"fp32", "int8"})
    public String precision;

    private final CpuMeter cpu = new CpuMeter();

    @Setup(Level.Iteration)
    public void beginIteration(IterationParams params) {
        cpu.begin(params);
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        cpu.end();
    }
}
