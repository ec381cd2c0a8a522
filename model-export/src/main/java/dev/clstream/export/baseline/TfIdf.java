package dev.clstream.export.baseline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TF-IDF features of texts, as the usual bag-of-words baseline computes them (scikit-learn's
 * TfidfVectorizer with {@code ngram_range=(1, 2), sublinear_tf=True, min_df=2}): lower-cased words of
 * two or more letters or digits and their adjacent pairs; tf is 1 + ln(count); idf is
 * ln((1 + n) / (1 + df)) + 1 over the training texts; every row is scaled to unit length. Terms seen
 * in fewer than {@code minDf} training texts are dropped.
 */
public final class TfIdf {
    private static final Pattern WORD = Pattern.compile("\\b\\w\\w+\\b", Pattern.UNICODE_CHARACTER_CLASS);

    /** One text's features: term indices, ascending, and their weights. */
    public record Vector(int[] terms, double[] weights) {}

    private final Map<String, Integer> vocabulary;
    private final double[] idf;

    private TfIdf(Map<String, Integer> vocabulary, double[] idf) {
        this.vocabulary = vocabulary;
        this.idf = idf;
    }

    /** Learns the vocabulary and the idf weights from the training texts. */
    public static TfIdf fit(List<String> texts, int minDf) {
        Map<String, Integer> df = new HashMap<>();
        for (String text : texts) {
            for (String term : terms(text).keySet()) {
                df.merge(term, 1, Integer::sum);
            }
        }
        // Sorted, so that term indices (and with them every sum) do not depend on hash order.
        TreeMap<String, Integer> kept = new TreeMap<>();
        df.forEach((term, count) -> {
            if (count >= minDf) {
                kept.put(term, count);
            }
        });
        Map<String, Integer> vocabulary = new HashMap<>();
        double[] idf = new double[kept.size()];
        int i = 0;
        for (Map.Entry<String, Integer> e : kept.entrySet()) {
            vocabulary.put(e.getKey(), i);
            idf[i++] = Math.log((1.0 + texts.size()) / (1.0 + e.getValue())) + 1;
        }
        return new TfIdf(vocabulary, idf);
    }

    public int size() {
        return idf.length;
    }

    public Vector transform(String text) {
        TreeMap<Integer, Double> weights = new TreeMap<>();
        terms(text).forEach((term, count) -> {
            Integer index = vocabulary.get(term);
            if (index != null) {
                weights.put(index, (1 + Math.log(count)) * idf[index]);
            }
        });
        double norm = Math.sqrt(weights.values().stream().mapToDouble(w -> w * w).sum());
        int[] terms = weights.keySet().stream().mapToInt(Integer::intValue).toArray();
        double[] values = weights.values().stream().mapToDouble(w -> norm == 0 ? 0 : w / norm).toArray();
        return new Vector(terms, values);
    }

    public List<Vector> transform(List<String> texts) {
        List<Vector> out = new ArrayList<>(texts.size());
        texts.forEach(t -> out.add(transform(t)));
        return out;
    }

    /** Each word and each pair of adjacent words, with its count. */
    static Map<String, Integer> terms(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            words.add(m.group());
        }
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            counts.merge(words.get(i), 1, Integer::sum);
            if (i + 1 < words.size()) {
                counts.merge(words.get(i) + " " + words.get(i + 1), 1, Integer::sum);
            }
        }
        return counts;
    }

    @Override
    public String toString() {
        return "TfIdf[" + idf.length + " terms, idf " + Arrays.stream(idf).min().orElse(0) + ".."
                + Arrays.stream(idf).max().orElse(0) + "]";
    }
}
