package dev.clstream.http;

import java.util.List;

/** What the health endpoints ask of the app. */
public interface HealthCheck {

    /** False only once the process has begun to shut down: a restart would not help anything else. */
    boolean live();

    /** Why the app should not get traffic now; empty when it is ready. */
    List<String> notReadyBecause();
}
