package dev.clstream.export.data;

/**
 * The forms one message takes in the event streams a classifier meets: the whole message, a short
 * event (a notification, an SMS-length preview), or its subject line alone. Quality is judged per
 * view, since a head trained only on whole e-mails can be confidently wrong on a short one.
 */
public enum TextView {
    FULL("full", "subject and body"),
    SHORT("short", "subject and the first " + TextView.SHORT_CHARS + " characters of the body"),
    SUBJECT("subject", "the subject line alone");

    public static final int SHORT_CHARS = 200;

    private final String id;
    private final String description;

    TextView(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** The view named {@code id}, or an error naming the allowed ones. */
    public static TextView parse(String id) {
        for (TextView v : values()) {
            if (v.id.equals(id)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown view '" + id + "'; allowed: "
                + java.util.Arrays.stream(values()).map(TextView::id).toList());
    }

    /** This view of the message, as a labeled example with the message's id and label. */
    public LabeledText of(SpamAssassinCorpus.Message m) {
        String text = switch (this) {
            case FULL -> m.eventText();
            case SHORT -> m.shortText(SHORT_CHARS);
            case SUBJECT -> m.subject();
        };
        return new LabeledText(m.id(), text, m.label());
    }
}
