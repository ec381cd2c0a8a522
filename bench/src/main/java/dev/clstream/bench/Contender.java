package dev.clstream.bench;

/** One way of turning the benchmark's texts into h_0 rows: what a benchmark operation measures. */
public interface Contender extends AutoCloseable {
    /** One operation: every text encoded; the h_0 rows in text order. */
    float[][] run();

    @Override
    void close();
}
