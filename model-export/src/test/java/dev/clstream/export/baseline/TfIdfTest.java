package dev.clstream.export.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.export.data.LabeledText;
import dev.clstream.export.train.Evaluation;
import dev.clstream.export.train.SparseLogisticRegression;
import dev.clstream.export.train.StratifiedSplit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The TF-IDF baseline: its features as the usual vectorizer computes them, and a classifier that learns from them. */
class TfIdfTest {
    @Test
    void termsAreLowerCasedWordsOfTwoOrMoreCharactersAndTheirAdjacentPairs() {
        assertEquals(Map.of("free", 2, "money", 1, "now", 1, "free money", 1, "money now", 1, "now free", 1),
                TfIdf.terms("FREE money, now! a Free"));
        assertEquals(Map.of(), TfIdf.terms("a b c !"), "single characters are no words");
    }

    @Test
    void weightsAreSublinearTfTimesSmoothedIdfScaledToUnitLength() {
        List<String> train = List.of("spam spam spam eggs", "eggs ham", "ham");
        TfIdf tfidf = TfIdf.fit(train, 1);
        TfIdf.Vector v = tfidf.transform("spam spam spam eggs");
        // df: spam 1, eggs 2, "spam spam" 1, "spam eggs" 1; n = 3.
        double spam = (1 + Math.log(3)) * (Math.log(4.0 / 2) + 1);
        double eggs = Math.log(4.0 / 3) + 1;
        double spamSpam = (1 + Math.log(2)) * (Math.log(4.0 / 2) + 1);
        double spamEggs = Math.log(4.0 / 2) + 1;
        double norm = Math.sqrt(spam * spam + eggs * eggs + spamSpam * spamSpam + spamEggs * spamEggs);
        double[] sorted = Arrays.stream(v.weights()).sorted().toArray();
        double[] expected = Arrays.stream(new double[] {spam, eggs, spamSpam, spamEggs}).map(w -> w / norm).sorted()
                .toArray();
        assertArrayEquals(expected, sorted, 1e-12);
        assertEquals(1.0, Arrays.stream(v.weights()).map(w -> w * w).sum(), 1e-12);
        assertTrue(isAscending(v.terms()));
        assertEquals(0, tfidf.transform("nothing known here").terms().length, "unknown terms are ignored");
    }

    @Test
    void termsInFewerThanMinDfTrainingTextsAreDropped() {
        TfIdf tfidf = TfIdf.fit(List.of("common rare", "common other"), 2);
        assertEquals(1, tfidf.size(), "only 'common' is in two texts");
    }

    @Test
    void aLogisticRegressionOnTheseFeaturesLearnsWordsThatDecideTheClass() {
        List<LabeledText> examples = synthetic(400, 7);
        int[] y = examples.stream().mapToInt(e -> e.label().equals("spam") ? 1 : 0).toArray();
        int[] heldOut = StratifiedSplit.of(y, 0.25, 3).test();
        TfIdfBaseline.Result r = TfIdfBaseline.evaluate(examples, heldOut, List.of("ham", "spam"), 42);
        Evaluation e = r.heldOut();
        assertEquals(heldOut.length, e.total());
        assertTrue(e.accuracy() >= 0.95, "held-out accuracy " + e.accuracy());
        assertTrue(Arrays.stream(TfIdfBaseline.LAMBDAS).anyMatch(l -> l == r.lambda()));
    }

    @Test
    void theSparseRegressionsProbabilitiesSumToOneAndAStrongPenaltyFlattensThem() {
        SparseLogisticRegression.Rows x = new SparseLogisticRegression.Rows(
                new int[][] {{0}, {0}, {1}, {1}}, new double[][] {{1}, {1}, {1}, {1}}, 2);
        int[] y = {0, 0, 1, 1};
        SparseLogisticRegression.Model free = new SparseLogisticRegression(1e-6, 500).fit(x, y, 2);
        float[] p = free.probabilities(new int[] {0}, new double[] {1});
        assertEquals(1.0, p[0] + p[1], 1e-6);
        assertTrue(p[0] > 0.95, "feature 0 means class 0: " + Arrays.toString(p));
        float[] flat = new SparseLogisticRegression(100, 500).fit(x, y, 2).probabilities(new int[] {0}, new double[] {1});
        assertTrue(Math.abs(flat[0] - 0.5) < 0.05, "a strong penalty keeps the weights near 0: " + Arrays.toString(flat));
    }

    /** Texts whose class is decided by which words they use, among filler. */
    static List<LabeledText> synthetic(int n, long seed) {
        List<String> spam = List.of("winner", "prize", "free", "cash", "claim", "offer");
        List<String> ham = List.of("meeting", "report", "lunch", "patch", "review", "thanks");
        List<String> filler = List.of("the", "and", "of", "today", "please", "you", "we", "this");
        Random rnd = new Random(seed);
        List<LabeledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean isSpam = i % 3 == 0;
            List<String> words = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                words.add((isSpam ? spam : ham).get(rnd.nextInt(6)));
            }
            for (int k = 0; k < 5; k++) {
                words.add(filler.get(rnd.nextInt(filler.size())));
            }
            java.util.Collections.shuffle(words, rnd);
            out.add(new LabeledText("t" + i, String.join(" ", words), isSpam ? "spam" : "ham"));
        }
        return out;
    }

    private static boolean isAscending(int[] a) {
        for (int i = 1; i < a.length; i++) {
            if (a[i] <= a[i - 1]) {
                return false;
            }
        }
        return true;
    }
}
