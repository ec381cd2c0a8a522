package dev.clstream.export.train;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.bundle.LogitsSource;
import dev.clstream.inference.Softmax;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Trains a linear classification head on [CLS] embeddings: a seeded stratified train/test split,
 * the L2 strength chosen by stratified k-fold cross-validation on the training part (lowest mean
 * validation log loss), a final fit on the whole training part, and an evaluation on the held-out
 * part that the training never saw.
 */
public final class HeadTrainer {

    /** Bumped whenever training changes in a way that changes the head for the same inputs. */
    public static final String ALGORITHM_VERSION = "head-trainer-1";

    /** How to train; {@link #defaults()} is what the default bundle uses. */
    public record Config(double testFraction, long seed, double[] lambdas, int folds, int maxIterations) {
        public Config {
            lambdas = lambdas.clone();
            if (lambdas.length == 0 || folds < 2) {
                throw new IllegalArgumentException("need at least one lambda and two folds");
            }
        }

        public static Config defaults() {
            return new Config(0.2, 42, new double[] {1e-4, 1e-3, 1e-2, 1e-1}, 5, 500);
        }

        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("method", "multinomial logistic regression, L2 on standardised weights, L-BFGS");
            n.put("test_fraction", testFraction);
            n.put("seed", seed);
            var l = n.putArray("lambda_grid");
            Arrays.stream(lambdas).forEach(l::add);
            n.put("cv_folds", folds);
            n.put("max_iterations", maxIterations);
            return n;
        }
    }

    /**
     * The trained head, its labels, and how it did.
     *
     * @param heldOutIndices the examples (indices into the features given to {@link #train}) that were held out
     */
    public record Result(List<String> labels, LogitsSource.LinearHead head, double lambda, Evaluation heldOut,
                         ObjectNode report, int[] heldOutIndices) {}

    private final Config config;

    public HeadTrainer(Config config) {
        this.config = config;
    }

    /** @param labelOrder label names in id order, or empty to use the sorted distinct labels */
    public Result train(float[][] features, List<String> labelNames, List<String> labelOrder) {
        return train(features, labelNames, labelOrder, new float[features.length][][]);
    }

    /**
     * Like {@link #train(float[][], List, List)}, with more rows per example to train on: other views of the
     * same text (a short form, its subject), with its label. They join the training side only, and only with
     * their own example: the split and the cross-validation folds are by example, so no view of a held-out or
     * validation example is trained on, and the evaluation is on the examples' own features.
     *
     * @param extraRows per example, its extra feature rows (null or empty for none)
     */
    public Result train(float[][] features, List<String> labelNames, List<String> labelOrder, float[][][] extraRows) {
        if (extraRows.length != features.length) {
            throw new IllegalArgumentException(extraRows.length + " sets of extra rows for " + features.length
                    + " examples");
        }
        List<String> labels = labelOrder.isEmpty() ? List.copyOf(new TreeSet<>(labelNames)) : List.copyOf(labelOrder);
        if (labels.size() < 2) {
            throw new IllegalArgumentException("need at least two distinct labels, got " + labels);
        }
        if (new TreeSet<>(labels).size() != labels.size()) {
            throw new IllegalArgumentException("the label order names a label twice: " + labels);
        }
        for (String label : labels) {
            if (!labelNames.contains(label)) {
                throw new IllegalArgumentException("label '" + label + "' has no examples in the data");
            }
        }
        int[] y = new int[labelNames.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.indexOf(labelNames.get(i));
            if (y[i] < 0) {
                throw new IllegalArgumentException("example " + i + " has label '" + labelNames.get(i)
                        + "', which is not in " + labels);
            }
        }
        StratifiedSplit split = StratifiedSplit.of(y, config.testFraction(), config.seed());
        float[][] xTrain = rows(features, split.train());
        int[] yTrain = pick(y, split.train());
        float[][][] extraTrain = new float[split.train().length][][];
        for (int i = 0; i < extraTrain.length; i++) {
            extraTrain[i] = extraRows[split.train()[i]];
        }
        double[] cvLoss = crossValidate(xTrain, yTrain, extraTrain, labels.size());
        int best = 0;
        for (int i = 1; i < cvLoss.length; i++) {
            if (cvLoss[i] < cvLoss[best]) {
                best = i;
            }
        }
        double lambda = config.lambdas()[best];
        Rows training = withExtras(xTrain, yTrain, extraTrain, IntStream.range(0, xTrain.length).toArray());
        LogisticRegression.Fit fit = new LogisticRegression(lambda, config.maxIterations()).fit(training.x(),
                training.y(), labels.size());
        Evaluation heldOut = evaluate(fit.head(), labels, rows(features, split.test()), pick(y, split.test()));

        ObjectNode report = JsonNodeFactory.instance.objectNode();
        report.set("trainer", config.toJson());
        report.put("train_examples", split.train().length);
        report.put("test_examples", split.test().length);
        if (training.x().length > xTrain.length) {
            report.put("train_rows_with_views", training.x().length);
        }
        report.put("lambda", lambda);
        var cv = report.putObject("cv_mean_log_loss");
        for (int i = 0; i < cvLoss.length; i++) {
            cv.put(Double.toString(config.lambdas()[i]), Math.round(cvLoss[i] * 1e6) / 1e6);
        }
        report.put("optimizer_iterations", fit.iterations());
        report.put("optimizer_converged", fit.converged());
        report.set("held_out", heldOut.toJson());
        return new Result(labels, fit.head(), lambda, heldOut, report, split.test());
    }

    /** Class probabilities of {@code head} on each row, computed exactly as the stream app does. */
    public static Evaluation evaluate(LogitsSource.LinearHead head, List<String> labels, float[][] x, int[] y) {
        float[][] probabilities = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            probabilities[i] = Softmax.apply(head.logits(x[i]));
        }
        return Evaluation.of(labels, y, probabilities);
    }

    private record Rows(float[][] x, int[] y) {}

    /** The examples {@code idx} followed by their extra rows, each with its example's class. */
    private static Rows withExtras(float[][] x, int[] y, float[][][] extras, int[] idx) {
        List<float[]> rows = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        for (int i : idx) {
            rows.add(x[i]);
            classes.add(y[i]);
        }
        for (int i : idx) {
            for (float[] row : extras[i] == null ? new float[0][] : extras[i]) {
                rows.add(row);
                classes.add(y[i]);
            }
        }
        return new Rows(rows.toArray(float[][]::new), classes.stream().mapToInt(Integer::intValue).toArray());
    }

    private double[] crossValidate(float[][] x, int[] y, float[][][] extras, int classes) {
        List<int[]> folds = StratifiedSplit.folds(y, config.folds(), config.seed() + 1);
        int nl = config.lambdas().length;
        double[][] losses = new double[nl][config.folds()];
        IntStream.range(0, nl * config.folds()).parallel().forEach(task -> {
            int li = task / config.folds();
            int f = task % config.folds();
            int[] validation = folds.get(f);
            Rows training = withExtras(x, y, extras, complement(x.length, validation));
            LogisticRegression.Fit fit = new LogisticRegression(config.lambdas()[li], config.maxIterations())
                    .fit(training.x(), training.y(), classes);
            List<String> ids = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                ids.add(Integer.toString(c));
            }
            losses[li][f] = evaluate(fit.head(), ids, rows(x, validation), pick(y, validation)).logLoss();
        });
        return Arrays.stream(losses).mapToDouble(l -> Arrays.stream(l).average().orElseThrow()).toArray();
    }

    private static int[] complement(int n, int[] sortedExcluded) {
        int[] out = new int[n - sortedExcluded.length];
        int k = 0;
        int e = 0;
        for (int i = 0; i < n; i++) {
            if (e < sortedExcluded.length && sortedExcluded[e] == i) {
                e++;
            } else {
                out[k++] = i;
            }
        }
        return out;
    }

    static float[][] rows(float[][] x, int[] idx) {
        float[][] out = new float[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            out[i] = x[idx[i]];
        }
        return out;
    }

    static int[] pick(int[] y, int[] idx) {
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = y[idx[i]];
        }
        return out;
    }
}
