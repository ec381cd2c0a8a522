package dev.clstream.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;

/**
 * langchain4j's {@code embedAll} on the same texts: scores are sequences/s. It has no batch size
 * (one text per run on its own executor), so it runs once per text set. Its ONNX session is a
 * static of the library with no way to close it; the forked JVM ends after the trial.
 */
public class Langchain4jBenchmark extends MeteredBenchmark {
    private Langchain4jContender contender;

    @Setup(Level.Trial)
    public void setUp() {
        contender = Langchain4jContender.open(BenchFixture.Precision.of(precision), BenchTexts.load().set(textSet).texts());
    }

    @Benchmark
    @OperationsPerInvocation(BenchTexts.COUNT)
    public Object embedAll() {
        return contender.run();
    }
}
