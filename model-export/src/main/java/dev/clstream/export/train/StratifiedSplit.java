package dev.clstream.export.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A seeded stratified split: each class is shuffled on its own and the same fraction of it goes to
 * the test part, so both parts keep the class balance and the split is reproducible from the data
 * order and the seed alone.
 */
public record StratifiedSplit(int[] train, int[] test) {

    public static StratifiedSplit of(int[] classes, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        }
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < classes.length; i++) {
            byClass.computeIfAbsent(classes[i], k -> new ArrayList<>()).add(i);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (List<Integer> members : byClass.values()) {
            shuffle(members, rnd);
            int nTest = (int) Math.round(members.size() * testFraction);
            test.addAll(members.subList(0, nTest));
            train.addAll(members.subList(nTest, members.size()));
        }
        return new StratifiedSplit(sorted(train), sorted(test));
    }

    /** k stratified folds over {@code classes}: fold f's indices are its validation part. */
    public static List<int[]> folds(int[] classes, int k, long seed) {
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < classes.length; i++) {
            byClass.computeIfAbsent(classes[i], c -> new ArrayList<>()).add(i);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        List<List<Integer>> folds = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            folds.add(new ArrayList<>());
        }
        for (List<Integer> members : byClass.values()) {
            shuffle(members, rnd);
            for (int i = 0; i < members.size(); i++) {
                folds.get(i % k).add(members.get(i));
            }
        }
        return folds.stream().map(StratifiedSplit::sorted).toList();
    }

    private static void shuffle(List<Integer> list, SplittableRandom rnd) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            Integer t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    private static int[] sorted(List<Integer> xs) {
        return xs.stream().mapToInt(Integer::intValue).sorted().toArray();
    }
}
