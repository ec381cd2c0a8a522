package dev.clstream.export.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {

    /** 3 classes of 501, 233 and 67 examples (shares that need rounding), interleaved irregularly. */
    static int[] classes() {
        int[] y = new int[801];
        int[] left = {501, 233, 67};
        java.util.Random rnd = new java.util.Random(99);
        for (int i = 0; i < y.length; i++) {
            int c;
            do {
                c = rnd.nextInt(3);
            } while (left[c] == 0);
            left[c]--;
            y[i] = c;
        }
        return y;
    }

    @Test
    void partsAreDisjointSortedAndCoverEveryIndex() {
        int[] y = classes();
        StratifiedSplit s = StratifiedSplit.of(y, 0.2, 42);
        assertEquals(y.length, s.train().length + s.test().length);
        BitSet seen = new BitSet();
        for (int[] part : List.of(s.train(), s.test())) {
            assertTrue(isStrictlyIncreasing(part));
            for (int i : part) {
                assertFalse(seen.get(i), "index " + i + " is in both parts");
                seen.set(i);
            }
        }
        assertEquals(y.length, seen.cardinality());
        assertEquals(y.length, seen.nextClearBit(0));
    }

    @Test
    void eachClassContributesItsShareToTheTestPart() {
        int[] y = classes();
        for (double fraction : new double[] {0.1, 0.2, 0.5, 0.9}) {
            StratifiedSplit s = StratifiedSplit.of(y, fraction, 7);
            int[] total = count(y, IntStream.range(0, y.length).toArray());
            int[] test = count(y, s.test());
            for (int c = 0; c < 3; c++) {
                assertEquals(Math.round(total[c] * fraction), test[c], "class " + c + " at fraction " + fraction);
            }
        }
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        int[] y = classes();
        StratifiedSplit a = StratifiedSplit.of(y, 0.2, 42);
        StratifiedSplit b = StratifiedSplit.of(y.clone(), 0.2, 42);
        assertArrayEquals(a.test(), b.test());
        assertArrayEquals(a.train(), b.train());
        StratifiedSplit c = StratifiedSplit.of(y, 0.2, 43);
        assertFalse(Arrays.equals(a.test(), c.test()));
        assertArrayEquals(count(y, a.test()), count(y, c.test()), "the class balance does not depend on the seed");
    }

    @Test
    void testPartIsNotJustTheFirstExamplesOfEachClass() {
        int[] y = new int[200];
        StratifiedSplit s = StratifiedSplit.of(y, 0.25, 42);
        assertEquals(50, s.test().length);
        assertTrue(s.test()[s.test().length - 1] > 100, "test part must be shuffled: " + Arrays.toString(s.test()));
    }

    @Test
    void rejectsFractionsOutsideTheOpenUnitInterval() {
        int[] y = {0, 1, 0, 1};
        for (double f : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.of(y, f, 1), "fraction " + f);
        }
    }

    @Test
    void foldsAreDisjointCoverEverythingAndAreStratified() {
        int[] y = classes();
        int k = 5;
        List<int[]> folds = StratifiedSplit.folds(y, k, 11);
        assertEquals(k, folds.size());
        BitSet seen = new BitSet();
        for (int[] fold : folds) {
            assertTrue(isStrictlyIncreasing(fold));
            for (int i : fold) {
                assertFalse(seen.get(i), "index " + i + " is in two folds");
                seen.set(i);
            }
        }
        assertEquals(y.length, seen.cardinality());
        int[] total = count(y, IntStream.range(0, y.length).toArray());
        for (int[] fold : folds) {
            int[] perClass = count(y, fold);
            for (int c = 0; c < 3; c++) {
                assertTrue(Math.abs(perClass[c] - total[c] / (double) k) < 1,
                        "class " + c + " has " + perClass[c] + " of " + total[c] + " in a fold");
            }
        }
    }

    @Test
    void foldsAreSeeded() {
        int[] y = classes();
        List<int[]> a = StratifiedSplit.folds(y, 4, 5);
        List<int[]> b = StratifiedSplit.folds(y, 4, 5);
        List<int[]> c = StratifiedSplit.folds(y, 4, 6);
        for (int f = 0; f < 4; f++) {
            assertArrayEquals(a.get(f), b.get(f));
        }
        assertFalse(Arrays.equals(a.get(0), c.get(0)));
    }

    private static boolean isStrictlyIncreasing(int[] a) {
        for (int i = 1; i < a.length; i++) {
            if (a[i] <= a[i - 1]) {
                return false;
            }
        }
        return true;
    }

    private static int[] count(int[] y, int[] idx) {
        int[] n = new int[3];
        for (int i : idx) {
            n[y[i]]++;
        }
        return n;
    }
}
