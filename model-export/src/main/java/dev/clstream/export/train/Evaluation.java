package dev.clstream.export.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Held-out metrics of a classifier: accuracy, per-class precision/recall/F1, confusion matrix, log loss. */
public record Evaluation(List<String> labels, long[][] confusion, double logLoss) {

    /**
     * @param actual       true class ids
     * @param probabilities each example's class probabilities (prediction = arg max)
     */
    public static Evaluation of(List<String> labels, int[] actual, float[][] probabilities) {
        int k = labels.size();
        long[][] confusion = new long[k][k];
        double logLoss = 0;
        for (int i = 0; i < actual.length; i++) {
            float[] p = probabilities[i];
            int predicted = 0;
            for (int c = 1; c < k; c++) {
                if (p[c] > p[predicted]) {
                    predicted = c;
                }
            }
            confusion[actual[i]][predicted]++;
            logLoss -= Math.log(Math.max(p[actual[i]], 1e-15));
        }
        return new Evaluation(List.copyOf(labels), confusion, actual.length == 0 ? 0 : logLoss / actual.length);
    }

    public long total() {
        long n = 0;
        for (long[] row : confusion) {
            for (long v : row) {
                n += v;
            }
        }
        return n;
    }

    public long correct() {
        long n = 0;
        for (int i = 0; i < confusion.length; i++) {
            n += confusion[i][i];
        }
        return n;
    }

    public double accuracy() {
        return total() == 0 ? 0 : (double) correct() / total();
    }

    public long support(int c) {
        long n = 0;
        for (long v : confusion[c]) {
            n += v;
        }
        return n;
    }

    public double precision(int c) {
        long predicted = 0;
        for (long[] row : confusion) {
            predicted += row[c];
        }
        return predicted == 0 ? 0 : (double) confusion[c][c] / predicted;
    }

    public double recall(int c) {
        long s = support(c);
        return s == 0 ? 0 : (double) confusion[c][c] / s;
    }

    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double f1(String label) {
        int c = labels.indexOf(label);
        if (c < 0) {
            throw new IllegalArgumentException("no label '" + label + "' in " + labels);
        }
        return f1(c);
    }

    public double macroF1() {
        double s = 0;
        for (int c = 0; c < labels.size(); c++) {
            s += f1(c);
        }
        return s / labels.size();
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("examples", total());
        n.put("accuracy", round(accuracy()));
        n.put("macro_f1", round(macroF1()));
        n.put("log_loss", round(logLoss));
        ObjectNode per = n.putObject("per_class");
        for (int c = 0; c < labels.size(); c++) {
            ObjectNode pc = per.putObject(labels.get(c));
            pc.put("precision", round(precision(c)));
            pc.put("recall", round(recall(c)));
            pc.put("f1", round(f1(c)));
            pc.put("support", support(c));
        }
        ObjectNode cm = n.putObject("confusion_matrix");
        labels.forEach(cm.putArray("labels")::add);
        var rows = cm.putArray("rows_actual_columns_predicted");
        for (long[] row : confusion) {
            var r = rows.addArray();
            for (long v : row) {
                r.add(v);
            }
        }
        return n;
    }

    public static Evaluation fromJson(JsonNode n) {
        JsonNode cm = n.path("confusion_matrix");
        List<String> labels = new ArrayList<>();
        cm.path("labels").forEach(l -> labels.add(l.asText()));
        JsonNode rows = cm.path("rows_actual_columns_predicted");
        long[][] confusion = new long[labels.size()][labels.size()];
        for (int i = 0; i < labels.size(); i++) {
            for (int j = 0; j < labels.size(); j++) {
                confusion[i][j] = rows.path(i).path(j).asLong();
            }
        }
        return new Evaluation(labels, confusion, n.path("log_loss").asDouble());
    }

    /** A fixed-width text report for terminals and build logs. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "accuracy %.4f (%d/%d)   macro F1 %.4f   log loss %.4f%n", accuracy(),
                correct(), total(), macroF1(), logLoss));
        int w = Math.max(9, labels.stream().mapToInt(String::length).max().orElse(5) + 2);
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %9s %9s %9s %9s%n", "label", "precision", "recall", "f1",
                "support"));
        for (int c = 0; c < labels.size(); c++) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s %9.4f %9.4f %9.4f %9d%n", labels.get(c), precision(c),
                    recall(c), f1(c), support(c)));
        }
        sb.append("confusion matrix (rows: actual, columns: predicted)\n");
        sb.append(String.format(Locale.ROOT, "%-" + w + "s", ""));
        labels.forEach(l -> sb.append(String.format(Locale.ROOT, " %9s", l)));
        sb.append('\n');
        for (int c = 0; c < labels.size(); c++) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s", labels.get(c)));
            for (long v : confusion[c]) {
                sb.append(String.format(Locale.ROOT, " %9d", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
