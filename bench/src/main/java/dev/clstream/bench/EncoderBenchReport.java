package dev.clstream.bench;

import dev.clstream.bench.BenchFixture.Precision;
import dev.clstream.bench.EncoderBench.Row;
import java.util.List;
import java.util.Locale;

/** The encoder benchmark's results as a table, with each clstream row's ratios and verdicts against the targets. */
final class EncoderBenchReport {
    private EncoderBenchReport() {}

    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| set | contender | model | batch | seq/s ± 99.9% err | iter min–max | tokens/s | vs langchain4j, "
                + "same model | vs langchain4j fp32 | vs bare, same model and batch | CPU cores: bench / others "
                + "| load1 before→after | attempt |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            Row l4j = find(rows, r.set(), "langchain4j", r.precision(), 0);
            Row l4jFp32 = find(rows, r.set(), "langchain4j", Precision.FP32, 0);
            Row bare = r.contender().equals("langchain4j") ? null : find(rows, r.set(), "bare", r.precision(), r.batch());
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.1f ± %.1f | %.1f–%.1f | %.0f | %s | %s | %s "
                            + "| %.2f / %.2f | %.2f→%.2f | %d |%n",
                    r.set(), r.contender(), r.precision().label(), r.batch() == 0 ? "1 (own)" : Integer.toString(r.batch()),
                    r.score(), r.error(), r.min(), r.max(), r.score() * r.meanTokens(), ratio(r, l4j), ratio(r, l4jFp32),
                    ratio(r, bare), r.ownCores(), r.otherCores(), r.loadBefore(), r.loadAfter(), r.attempts()));
        }
        return sb.toString();
    }

    static String verdicts(List<Row> rows) {
        StringBuilder sb = new StringBuilder("targets: clstream >= 1.50x langchain4j; clstream >= 0.85x bare at the "
                + "same batch size (each on the same model file)\n");
        for (Row r : rows) {
            if (!r.contender().equals("clstream")) {
                continue;
            }
            Row l4j = find(rows, r.set(), "langchain4j", r.precision(), 0);
            Row bare = find(rows, r.set(), "bare", r.precision(), r.batch());
            sb.append(String.format(Locale.ROOT, "  %-8s %s batch %2d: vs langchain4j %s, vs bare %s", r.set(),
                    r.precision().label(), r.batch(), verdict(r, l4j, 1.5), verdict(r, bare, 0.85)));
            Row l4jFp32 = find(rows, r.set(), "langchain4j", Precision.FP32, 0);
            if (r.precision() != Precision.FP32 && l4jFp32 != null) {
                sb.append(String.format(Locale.ROOT, "; vs langchain4j fp32 %s", verdict(r, l4jFp32, 1.5)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static Row find(List<Row> rows, String set, String contender, Precision precision, int batch) {
        return rows.stream().filter(x -> x.set().equals(set) && x.contender().equals(contender)
                && x.precision() == precision && x.batch() == batch).findFirst().orElse(null);
    }

    private static String ratio(Row r, Row base) {
        return base == null ? "—" : String.format(Locale.ROOT, "%.2fx", r.score() / base.score());
    }

    private static String verdict(Row r, Row base, double target) {
        return base == null ? "n/a" : ratio(r, base) + (r.score() / base.score() >= target ? " MET" : " NOT MET");
    }
}
