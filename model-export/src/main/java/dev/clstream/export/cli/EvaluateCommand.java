package dev.clstream.export.cli;

import dev.clstream.bundle.ModelBundle;
import dev.clstream.export.baseline.TfIdfBaseline;
import dev.clstream.export.build.HeldOutEvaluation;
import dev.clstream.export.build.ViewEvaluation;
import dev.clstream.export.data.LabeledDataReader;
import dev.clstream.export.data.LabeledText;
import dev.clstream.export.data.SpamAssassinCorpus;
import dev.clstream.export.train.Calibration;
import dev.clstream.export.train.Evaluation;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Re-runs a bundle's held-out split through the real engine (tokenizer, ONNX graph, head) and
 * prints its metrics next to those recorded when it was trained; several bundles print side by
 * side, and beside them the TF-IDF baseline trained and judged on the same split. The split is
 * rebuilt from the seed and fraction stored in the bundle.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate bundles on the held-out split of the data their heads were trained on.")
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--bundle", required = true, description = "A bundle directory; repeat to compare bundles")
    List<Path> bundles;

    @Mixin
    DataOptions data;

    @Option(names = "--min-accuracy", description = "Exit with status 1 if any bundle's accuracy is below this")
    Double minAccuracy;

    @Option(names = "--min-f1", description = "LABEL=VALUE: exit with status 1 if that label's F1 is below VALUE")
    Map<String, Double> minF1 = new LinkedHashMap<>();

    @Option(names = "--views", description = "Also judge every bundle and the baseline on each view of the held-out "
            + "messages: full, short (subject and the first 200 characters of the body) and subject alone; "
            + "needs --format spamassassin")
    boolean views;

    @Option(names = "--extra", paramLabel = "NAME=FILE", description = "A labeled set (.jsonl/.csv with text and label) "
            + "judged whole beside the views, e.g. everyday=model-export/data/everyday-short.jsonl; repeatable")
    Map<String, Path> extra = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        List<LabeledText> examples = data.read();
        List<SpamAssassinCorpus.Message> messages = views ? data.messages() : List.of();
        Map<String, List<LabeledText>> extraSets = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : extra.entrySet()) {
            extraSets.put(e.getKey(), LabeledDataReader.defaults().read(e.getValue()));
        }
        List<String> names = new ArrayList<>();
        List<Evaluation> results = new ArrayList<>();
        List<Evaluation> stored = new ArrayList<>();
        Map<String, Evaluation> baselines = new LinkedHashMap<>();
        Map<String, List<ViewEvaluation.Row>> viewRows = new LinkedHashMap<>();
        Map<String, List<ViewEvaluation.Row>> baselineViewRows = new LinkedHashMap<>();
        for (Path dir : bundles) {
            ModelBundle bundle = ModelBundle.load(dir);
            HeldOutEvaluation.Classified heldOut;
            Map<String, List<LabeledText>> sets = Map.of();
            try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults())) {
                long start = System.nanoTime();
                heldOut = HeldOutEvaluation.classify(engine, examples);
                Evaluation e = heldOut.evaluation();
                System.out.printf(Locale.ROOT, "%n== %s (%s), held-out split of %s, %.1f s%n%s", bundle.manifest().id(),
                        dir, data.data.getFileName(), (System.nanoTime() - start) / 1e9, e.format());
                names.add(bundle.manifest().id());
                results.add(e);
                stored.add(HeldOutEvaluation.stored(bundle));
                if (views || !extraSets.isEmpty()) {
                    sets = ViewEvaluation.sets(engine, heldOut, messages, extraSets);
                    viewRows.put(bundle.manifest().id(), ViewEvaluation.judge(sets, heldOut.labels(),
                            ViewEvaluation.classifier(engine)));
                }
            }
            // The baseline once per split: bundles trained on the same split share it.
            String split = heldOut.labels() + " " + Arrays.hashCode(heldOut.heldOut()) + " " + heldOut.usable().size();
            if (!baselines.containsKey(split)) {
                long start = System.nanoTime();
                TfIdfBaseline.Result b = TfIdfBaseline.evaluate(heldOut.usable(), heldOut.heldOut(), heldOut.labels(),
                        bundle.manifest().evaluation().path("trainer").path("seed").asLong(42));
                System.out.printf(Locale.ROOT, "%n== TF-IDF baseline on the same split (%d terms, words and word pairs; "
                                + "logistic regression, lambda %s by 5-fold cross-validation), %.1f s%n%s", b.terms(),
                        b.lambda(), (System.nanoTime() - start) / 1e9, b.heldOut().format());
                baselines.put(split, b.heldOut());
                if (!sets.isEmpty()) {
                    baselineViewRows.put(baselineName(baselines.size()),
                            ViewEvaluation.judge(sets, heldOut.labels(), b.classifier()::probabilities));
                }
            }
        }
        // Thresholds are for the bundles; the baselines are printed beside them.
        boolean ok = meetsThresholds(names, results);
        int n = 0;
        for (Evaluation b : baselines.values()) {
            names.add(baselineName(++n));
            results.add(b);
            stored.add(null);
        }
        System.out.println();
        System.out.print(summary(names, results, stored));
        viewRows.putAll(baselineViewRows);
        if (!viewRows.isEmpty()) {
            String sets = String.join(", ", extraSets.keySet());
            System.out.printf(Locale.ROOT, "%n%s (ECE: expected calibration error, %d bins)%n", !views ? "On " + sets
                    : "By view of the held-out messages" + (sets.isEmpty() ? "" : " and on " + sets), Calibration.BINS);
            System.out.print(ViewEvaluation.format(viewRows));
        }
        return ok ? 0 : 1;
    }

    /** The baseline of the n-th distinct split (1-based): bundles trained on other splits each get their own. */
    private static String baselineName(int n) {
        return n == 1 ? "tf-idf baseline" : "tf-idf baseline " + n;
    }

    private static String summary(List<String> names, List<Evaluation> results, List<Evaluation> stored) {
        StringBuilder sb = new StringBuilder();
        int w = Math.max(12, names.stream().mapToInt(String::length).max().orElse(0) + 2);
        List<String> labels = results.get(0).labels();
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %9s %9s", "bundle", "accuracy", "macro F1"));
        labels.forEach(l -> sb.append(String.format(Locale.ROOT, " %9s", "F1 " + l)));
        sb.append(String.format(Locale.ROOT, " %9s %16s%n", "examples", "stored accuracy"));
        for (int i = 0; i < names.size(); i++) {
            Evaluation e = results.get(i);
            sb.append(String.format(Locale.ROOT, "%-" + w + "s %9.4f %9.4f", names.get(i), e.accuracy(), e.macroF1()));
            for (String l : labels) {
                int c = e.labels().indexOf(l);
                sb.append(c < 0 ? String.format(Locale.ROOT, " %9s", "-") : String.format(Locale.ROOT, " %9.4f", e.f1(c)));
            }
            Evaluation s = stored.get(i);
            sb.append(String.format(Locale.ROOT, " %9d %16s%n", e.total(),
                    s == null ? "-" : String.format(Locale.ROOT, "%.4f", s.accuracy())));
        }
        return sb.toString();
    }

    private boolean meetsThresholds(List<String> names, List<Evaluation> results) {
        boolean ok = true;
        for (int i = 0; i < results.size(); i++) {
            Evaluation e = results.get(i);
            if (minAccuracy != null && e.accuracy() < minAccuracy) {
                System.out.printf(Locale.ROOT, "FAIL %s: accuracy %.4f < %.4f%n", names.get(i), e.accuracy(), minAccuracy);
                ok = false;
            }
            for (Map.Entry<String, Double> m : minF1.entrySet()) {
                int c = e.labels().indexOf(m.getKey());
                double f1 = c < 0 ? 0 : e.f1(c);
                if (f1 < m.getValue()) {
                    System.out.printf(Locale.ROOT, "FAIL %s: F1 of %s %.4f < %.4f%n", names.get(i), m.getKey(), f1,
                            m.getValue());
                    ok = false;
                }
            }
        }
        return ok;
    }
}
