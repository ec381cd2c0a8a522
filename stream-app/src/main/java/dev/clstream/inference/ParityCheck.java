package dev.clstream.inference;

import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ClassifierHead;
import dev.clstream.bundle.ParityFile;
import dev.clstream.tokenize.InvalidTextException;
import dev.clstream.tokenize.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a bundle's {@code parity.json} through this engine: the tokenizer must give exactly the
 * reference ids, and h_0 and the class probabilities must lie within the file's tolerances. Each
 * text runs alone, as its reference did, so padding and batch-dependent quantisation play no part.
 */
public final class ParityCheck {
    private ParityCheck() {}

    /** What one parity text gave. {@code problem} is null when the text passed. */
    public record TextResult(int index, String text, int tokens, double embeddingDiff, double probabilityDiff,
                             String problem) {
        public boolean passed() {
            return problem == null;
        }
    }

    public record Report(ParityFile parity, List<TextResult> texts) {
        public boolean passed() {
            return texts.stream().allMatch(TextResult::passed);
        }

        public double maxEmbeddingDiff() {
            return texts.stream().mapToDouble(TextResult::embeddingDiff).filter(d -> !Double.isNaN(d)).max().orElse(0);
        }

        public double maxProbabilityDiff() {
            return texts.stream().mapToDouble(TextResult::probabilityDiff).filter(d -> !Double.isNaN(d)).max().orElse(0);
        }

        public long failures() {
            return texts.stream().filter(t -> !t.passed()).count();
        }

        /** One line: the verdict, the worst differences and the allowed ones. */
        public String summary() {
            return String.format("parity %s: %d of %d texts passed; max abs diff h_0 %.3g (allowed %.3g), "
                            + "probabilities %.3g (allowed %.3g); reference: %s",
                    passed() ? "PASSED" : "FAILED", texts.size() - failures(), texts.size(), maxEmbeddingDiff(),
                    parity.embeddingTolerance(), maxProbabilityDiff(), parity.probabilityTolerance(),
                    parity.reference());
        }
    }

    public static Report run(InferenceEngine engine, ParityFile parity) {
        boolean classifier = engine.manifest().hasClassifier();
        List<TextResult> results = new ArrayList<>();
        for (int i = 0; i < parity.texts().size(); i++) {
            results.add(check(engine, classifier, parity, i));
        }
        return new Report(parity, results);
    }

    /**
     * Runs the bundle's parity file when it has one and throws {@link BundleException} with the
     * failing texts when it does not pass; returns the report, or empty when there is no file.
     */
    public static Optional<Report> requirePassing(InferenceEngine engine) {
        Optional<ParityFile> parity = ParityFile.of(engine.bundle());
        if (parity.isEmpty()) {
            return Optional.empty();
        }
        Report report = run(engine, parity.get());
        if (!report.passed()) {
            StringBuilder sb = new StringBuilder("bundle " + engine.bundle().directory() + ": " + report.summary());
            report.texts().stream().filter(t -> !t.passed()).limit(5)
                    .forEach(t -> sb.append("\n  text #").append(t.index()).append(": ").append(t.problem()));
            throw new BundleException(sb.toString());
        }
        return Optional.of(report);
    }

    private static TextResult check(InferenceEngine engine, boolean classifier, ParityFile parity, int index) {
        ParityFile.Entry entry = parity.texts().get(index);
        TokenizedText tokens;
        try {
            tokens = engine.tokenize(entry.text());
        } catch (InvalidTextException e) {
            return new TextResult(index, entry.text(), 0, Double.NaN, Double.NaN, "the tokenizer refused the text: "
                    + e.getMessage());
        }
        String tokenProblem = compareIds(tokens, entry);
        if (tokenProblem != null) {
            return new TextResult(index, entry.text(), tokens.length(), Double.NaN, Double.NaN, tokenProblem);
        }
        Prediction p = engine.predict(List.of(tokens)).get(0);
        if (p.embedding().length != entry.clsEmbedding().length) {
            return new TextResult(index, entry.text(), tokens.length(), Double.NaN, Double.NaN, "h_0 has "
                    + p.embedding().length + " dimensions, the reference " + entry.clsEmbedding().length);
        }
        double embeddingDiff = maxAbsDiff(p.embedding(), entry.clsEmbedding());
        double probabilityDiff = Double.NaN;
        String problem = embeddingDiff <= parity.embeddingTolerance() ? null
                : String.format("h_0 differs from the reference by up to %.3g (allowed %.3g)", embeddingDiff,
                parity.embeddingTolerance());
        if (classifier != (entry.probabilities() != null)) {
            problem = classifier ? "the bundle has a classifier but the reference has no probabilities"
                    : "the reference has probabilities but the bundle has no classifier";
        } else if (classifier) {
            float[] probs = p.classification().probabilities();
            if (probs.length != entry.probabilities().length) {
                problem = probs.length + " class probabilities, the reference has " + entry.probabilities().length;
            } else {
                probabilityDiff = maxAbsDiff(probs, entry.probabilities());
                if (probabilityDiff > parity.probabilityTolerance() && problem == null) {
                    problem = String.format("probabilities differ from the reference by up to %.3g (allowed %.3g)",
                            probabilityDiff, parity.probabilityTolerance());
                }
            }
        }
        // The further heads the reference recorded, each against the bundle's head of that name.
        List<String> named = engine.manifest().namedHeads().stream().map(ClassifierHead::name).toList();
        for (Map.Entry<String, double[]> head : entry.heads().entrySet()) {
            int h = named.indexOf(head.getKey());
            if (h < 0 || p.heads().get(h).probabilities().length != head.getValue().length) {
                problem = problem != null ? problem : h < 0
                        ? "the reference has head '" + head.getKey() + "' but the bundle has no head of that name"
                        : "head '" + head.getKey() + "' has " + p.heads().get(h).probabilities().length
                                + " probabilities, the reference " + head.getValue().length;
                continue;
            }
            double diff = maxAbsDiff(p.heads().get(h).probabilities(), head.getValue());
            probabilityDiff = Double.isNaN(probabilityDiff) ? diff : Math.max(probabilityDiff, diff);
            if (diff > parity.probabilityTolerance() && problem == null) {
                problem = String.format("head '%s': probabilities differ from the reference by up to %.3g "
                        + "(allowed %.3g)", head.getKey(), diff, parity.probabilityTolerance());
            }
        }
        return new TextResult(index, entry.text(), tokens.length(), embeddingDiff, probabilityDiff, problem);
    }

    /**
     * What a parity file records of {@code p}, {@code model}'s result for {@code text} tokenised as {@code tokens}:
     * the ids, h_0, the primary head's probabilities and each further named head's, by name.
     */
    public static ParityFile.Entry entry(String text, TokenizedText tokens, BundleManifest model, Prediction p) {
        Map<String, double[]> further = new java.util.LinkedHashMap<>();
        List<ClassifierHead> named = model.namedHeads();
        for (int h = 1; h < named.size(); h++) {
            further.put(named.get(h).name(), widen(p.heads().get(h).probabilities()));
        }
        return new ParityFile.Entry(text, tokens.ids(), tokens.typeIds(), tokens.truncated(), widen(p.embedding()),
                p.classification() == null ? null : widen(p.classification().probabilities()), further);
    }

    private static double[] widen(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static String compareIds(TokenizedText tokens, ParityFile.Entry entry) {
        long[] java = tokens.ids();
        long[] reference = entry.inputIds();
        if (!Arrays.equals(java, reference)) {
            int at = Arrays.mismatch(java, reference);
            return "tokenizer parity: the ids differ at position " + at + " (this engine "
                    + (at < java.length ? java[at] : "-") + ", reference " + (at < reference.length ? reference[at] : "-")
                    + "); lengths " + java.length + " and " + reference.length;
        }
        if (entry.tokenTypeIds() != null && !Arrays.equals(tokens.typeIds(), entry.tokenTypeIds())) {
            return "tokenizer parity: token_type_ids differ from the reference";
        }
        if (tokens.truncated() != entry.truncated()) {
            return "tokenizer parity: truncated is " + tokens.truncated() + ", the reference says " + entry.truncated();
        }
        return null;
    }

    private static double maxAbsDiff(float[] actual, double[] expected) {
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            // A NaN output is as far from the reference as can be.
            max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
        }
        return max;
    }
}
