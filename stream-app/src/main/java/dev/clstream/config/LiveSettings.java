package dev.clstream.config;

/**
 * The live page: it lists the latest events whose top label scored below {@code lowConfidenceThreshold},
 * and dead letters, with their texts when {@code showTexts} says so (null: as the mode decides, see
 * {@link #showTexts(boolean)}).
 */
public record LiveSettings(double lowConfidenceThreshold, Boolean showTexts) {

    /**
     * Whether event texts reach the page. Unless set, only in embedded mode (a laptop, a demo): an app on a real
     * cluster serves whoever reaches its port, and event texts are the users' data.
     */
    public boolean showTexts(boolean embedded) {
        return showTexts != null ? showTexts : embedded;
    }
}
