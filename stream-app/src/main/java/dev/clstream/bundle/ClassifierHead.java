package dev.clstream.bundle;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One named classifier of a bundle: its labels in id order and where its logits come from. A bundle's heads all read
 * the same encoder pass; the first is the primary, whose label is the labeled event's own.
 */
public record ClassifierHead(String name, List<String> labels, LogitsSource logits) {
    /** The name of a format-1 bundle's one head (its labels and logits at the top of bundle.json). */
    public static final String DEFAULT_NAME = "default";
    /** Head names go into output records, metric tags and file names: plain characters only. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public ClassifierHead {
        Objects.requireNonNull(logits, "logits");
        labels = List.copyOf(labels);
        requireName(name);
        if (labels.isEmpty()) {
            throw new BundleException("a 'logits' section is given but 'labels' is missing or empty; name the "
                    + "classes in id order");
        }
        if (logits.labelCount() != labels.size()) {
            throw new BundleException("the logits section has " + logits.labelCount() + " classes but 'labels' names "
                    + labels.size() + " " + labels);
        }
    }

    /** Refuses a name that cannot be a head's. */
    public static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new BundleException("a head's name must be 1-64 characters of letters, digits, '_', '.' or '-', "
                    + "starting with a letter or digit; got '" + name + "'");
        }
    }

    /** Whether this head is computed from the graph's logits output rather than from h_0. */
    public boolean fromGraph() {
        return logits instanceof LogitsSource.GraphOutput;
    }
}
