package dev.clstream.http;

import java.util.List;

/** What the health endpoints ask of the app. */
public interface HealthCheck {

    /** Why the app is dead (a restart would help); empty while it is live. */
    List<String> notLiveBecause();

    /** Why the app should not get traffic now; empty when it is ready. */
    List<String> notReadyBecause();
}
