package dev.clstream.export.baseline;

import dev.clstream.export.data.LabeledText;
import dev.clstream.export.train.Evaluation;
import dev.clstream.export.train.SparseLogisticRegression;
import dev.clstream.export.train.StratifiedSplit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The simplest thing that could work, measured on the same split as a bundle: TF-IDF of words and
 * word pairs ({@link TfIdf}) with an L2 logistic regression, its strength picked by 5-fold
 * cross-validation on the training part, then judged on the held-out part. What every quality
 * figure the project quotes stands next to.
 */
public final class TfIdfBaseline {
    /** Candidate L2 strengths (mean-loss scale: 1e-5 is about C = 20 over 5,000 texts). */
    static final double[] LAMBDAS = {1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3};
    static final int FOLDS = 5;
    static final int MIN_DF = 2;
    static final int MAX_ITERATIONS = 500;

    /** The held-out evaluation, the L2 strength the cross-validation chose, and the trained classifier. */
    public record Result(Evaluation heldOut, double lambda, int terms, Classifier classifier) {}

    /** The fitted vectorizer and regression, to classify other texts (another view of a message, another set). */
    public record Classifier(TfIdf tfidf, SparseLogisticRegression.Model model) {
        public float[][] probabilities(List<String> texts) {
            return model.probabilities(rows(tfidf, texts));
        }
    }

    private TfIdfBaseline() {}

    /**
     * @param examples the labeled examples, in the order the split's indices refer to
     * @param heldOut  indices of the held-out examples; every other one is trained on
     * @param labels   label names in id order
     * @param seed     seed of the cross-validation folds
     */
    public static Result evaluate(List<LabeledText> examples, int[] heldOut, List<String> labels, long seed) {
        boolean[] isTest = new boolean[examples.size()];
        Arrays.stream(heldOut).forEach(i -> isTest[i] = true);
        int[] train = IntStream.range(0, examples.size()).filter(i -> !isTest[i]).toArray();
        List<String> trainTexts = pickTexts(examples, train);
        int[] yTrain = classes(examples, train, labels);
        TfIdf tfidf = TfIdf.fit(trainTexts, MIN_DF);
        SparseLogisticRegression.Rows xTrain = rows(tfidf, trainTexts);

        double lambda = crossValidate(xTrain, yTrain, labels.size(), seed);
        SparseLogisticRegression.Model model = new SparseLogisticRegression(lambda, MAX_ITERATIONS)
                .fit(xTrain, yTrain, labels.size());
        Classifier classifier = new Classifier(tfidf, model);
        Evaluation e = Evaluation.of(labels, classes(examples, heldOut, labels),
                classifier.probabilities(pickTexts(examples, heldOut)));
        return new Result(e, lambda, tfidf.size(), classifier);
    }

    private static double crossValidate(SparseLogisticRegression.Rows x, int[] y, int classes, long seed) {
        List<int[]> folds = StratifiedSplit.folds(y, FOLDS, seed + 1);
        double[] loss = new double[LAMBDAS.length];
        IntStream.range(0, LAMBDAS.length * FOLDS).parallel().forEach(task -> {
            int li = task / FOLDS;
            int[] validation = folds.get(task % FOLDS);
            boolean[] inValidation = new boolean[y.length];
            Arrays.stream(validation).forEach(i -> inValidation[i] = true);
            int[] training = IntStream.range(0, y.length).filter(i -> !inValidation[i]).toArray();
            SparseLogisticRegression.Model m = new SparseLogisticRegression(LAMBDAS[li], MAX_ITERATIONS)
                    .fit(x.pick(training), pick(y, training), classes);
            float[][] p = m.probabilities(x.pick(validation));
            double l = 0;
            for (int i = 0; i < validation.length; i++) {
                l -= Math.log(Math.max(p[i][y[validation[i]]], 1e-30));
            }
            synchronized (loss) {
                loss[li] += l;
            }
        });
        int best = 0;
        for (int i = 1; i < loss.length; i++) {
            if (loss[i] < loss[best]) {
                best = i;
            }
        }
        return LAMBDAS[best];
    }

    private static SparseLogisticRegression.Rows rows(TfIdf tfidf, List<String> texts) {
        List<TfIdf.Vector> v = tfidf.transform(texts);
        return new SparseLogisticRegression.Rows(v.stream().map(TfIdf.Vector::terms).toArray(int[][]::new),
                v.stream().map(TfIdf.Vector::weights).toArray(double[][]::new), tfidf.size());
    }

    private static List<String> pickTexts(List<LabeledText> examples, int[] which) {
        List<String> out = new ArrayList<>(which.length);
        for (int i : which) {
            out.add(examples.get(i).text());
        }
        return out;
    }

    private static int[] classes(List<LabeledText> examples, int[] which, List<String> labels) {
        int[] y = new int[which.length];
        for (int i = 0; i < which.length; i++) {
            y[i] = labels.indexOf(examples.get(which[i]).label());
            if (y[i] < 0) {
                throw new IllegalArgumentException("example " + examples.get(which[i]).id() + " has label '"
                        + examples.get(which[i]).label() + "', not one of " + labels);
            }
        }
        return y;
    }

    private static int[] pick(int[] y, int[] which) {
        int[] out = new int[which.length];
        for (int i = 0; i < which.length; i++) {
            out[i] = y[which[i]];
        }
        return out;
    }
}
