package dev.clstream.export.data;

/** One training example: an id (for tracing), its text and its label name. */
public record LabeledText(String id, String text, String label) {
    public LabeledText {
        if (text == null || label == null || label.isBlank()) {
            throw new IllegalArgumentException("example " + id + ": text and label are required");
        }
    }
}
