package dev.clstream.inference;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The engine that serves now, swapped for a new model version without a restart. Users hold a {@link Lease} on the
 * engine they run (each stream task holds one and moves to a new engine only between micro-batches), so a swap never
 * changes the engine under a micro-batch; an engine swapped out is closed when its last lease is given back, so its
 * native memory is freed only when nothing can be using it.
 */
public final class ServingEngine implements AutoCloseable {
    private InferenceEngine current;
    /** Leases held, per engine: the serving one and those swapped out but still in use. */
    private final Map<InferenceEngine, Integer> leases = new IdentityHashMap<>();
    private final boolean owns;
    private boolean closed;

    private ServingEngine(InferenceEngine first, boolean owns) {
        this.current = first;
        this.owns = owns;
    }

    /** Serves {@code first} and every engine swapped in after it, closing each once it is out and unused. */
    public static ServingEngine owning(InferenceEngine first) {
        return new ServingEngine(first, true);
    }

    /** Serves {@code engine} only, which its caller closes: for tests and tools that run one fixed model. */
    public static ServingEngine fixed(InferenceEngine engine) {
        return new ServingEngine(engine, false);
    }

    /** The engine serving now, for looks that run nothing (health, meters); to run it, take a {@link #lease()}. */
    public synchronized InferenceEngine current() {
        return current;
    }

    /**
     * How long the oldest encoder run in flight has been running, in ms, in the serving engine or one swapped out
     * that a task still runs: a stall in either is the app's.
     */
    public synchronized long oldestRunMillis() {
        long oldest = current.oldestRunMillis();
        for (InferenceEngine e : leases.keySet()) {
            oldest = Math.max(oldest, e.oldestRunMillis());
        }
        return oldest;
    }

    /** A hold on the engine serving now: it stays open until the lease is closed. */
    public synchronized Lease lease() {
        if (closed) {
            throw new IllegalStateException("the serving engine is closed");
        }
        leases.merge(current, 1, Integer::sum);
        return new Lease(current);
    }

    /**
     * Makes {@code next} the serving engine. The one it replaces is closed now if no lease holds it, or when its last
     * lease is closed.
     */
    public void swap(InferenceEngine next) {
        InferenceEngine out;
        synchronized (this) {
            if (closed) {
                // Shutting down: nobody will take it up, and nobody else would close it.
                closeIfOwned(next);
                throw new IllegalStateException("the serving engine is closed");
            }
            out = current;
            current = next;
            if (leases.containsKey(out)) {
                out = null;
            }
        }
        closeIfOwned(out);
    }

    private void release(InferenceEngine engine) {
        InferenceEngine unused = null;
        synchronized (this) {
            int left = leases.merge(engine, -1, Integer::sum);
            if (left == 0) {
                leases.remove(engine);
                if (engine != current) {
                    unused = engine;
                }
            }
        }
        closeIfOwned(unused);
    }

    private void closeIfOwned(InferenceEngine engine) {
        if (engine != null && owns) {
            engine.close();
        }
    }

    /** Closes the serving engine and any swapped-out one still leased (their runs are waited for by their close). */
    @Override
    public void close() {
        Iterable<InferenceEngine> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            Map<InferenceEngine, Boolean> all = new IdentityHashMap<>();
            leases.keySet().forEach(e -> all.put(e, true));
            all.put(current, true);
            open = all.keySet();
        }
        open.forEach(this::closeIfOwned);
    }

    /** A hold on one engine; close it to give the engine back. */
    public final class Lease implements AutoCloseable {
        private final InferenceEngine engine;
        private boolean released;

        private Lease(InferenceEngine engine) {
            this.engine = engine;
        }

        public InferenceEngine engine() {
            return engine;
        }

        /** Whether a newer engine serves than this lease's: the holder should move at its next boundary. */
        public boolean outdated() {
            return current() != engine;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                release(engine);
            }
        }
    }
}
