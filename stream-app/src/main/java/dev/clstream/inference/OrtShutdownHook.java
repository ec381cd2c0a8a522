package dev.clstream.inference;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's Java binding registers a JVM shutdown hook that releases its native environment.
 * The JVM runs shutdown hooks at the same time, in no order: on SIGTERM or Ctrl-C it released the
 * environment while the app's own hook was still waiting for an encoder run to finish, and that run
 * crashed the JVM in native code (SIGSEGV, SIGBUS: exit 134 with an hs_err file). So the app removes
 * that hook and frees what it owns itself, in order: the run ends, the session is closed, and the
 * environment goes with the process.
 *
 * <p>The hook sits in a JDK-internal table, reachable only with
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}, which the launcher and the image pass. Without
 * it this says so once and leaves the hook: a signal that lands during a run may then crash the JVM.
 */
final class OrtShutdownHook {
    private static final Logger LOG = LoggerFactory.getLogger(OrtShutdownHook.class);
    private static final String CLOSER = "ai.onnxruntime.OrtEnvironment$OrtEnvCloser";
    private static boolean done;

    private OrtShutdownHook() {}

    /** Removes ONNX Runtime's hook, once per JVM; call after the environment exists. True when none is left. */
    static synchronized boolean disarm() {
        if (done) {
            return true;
        }
        try {
            for (Thread hook : hooks()) {
                Object task = task(hook);
                if (task != null && task.getClass().getName().equals(CLOSER)) {
                    Runtime.getRuntime().removeShutdownHook(hook);
                }
            }
            done = true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("ONNX Runtime's shutdown hook stays in place ({}); start the JVM with --add-opens "
                    + "java.base/java.lang=ALL-UNNAMED, as bin/clstream does, so that a signal during an encoder run "
                    + "cannot free the runtime under it", e.toString());
        }
        return done;
    }

    @SuppressWarnings("unchecked")
    private static List<Thread> hooks() throws ReflectiveOperationException {
        Class<?> table = Class.forName("java.lang.ApplicationShutdownHooks");
        Field hooks = table.getDeclaredField("hooks");
        hooks.setAccessible(true);
        synchronized (table) {
            return new ArrayList<>(((Map<Thread, Thread>) hooks.get(null)).keySet());
        }
    }

    /** The Runnable a thread was made with: {@code target} up to Java 18, {@code holder.task} since 19. */
    private static Object task(Thread thread) throws ReflectiveOperationException {
        try {
            Field target = Thread.class.getDeclaredField("target");
            target.setAccessible(true);
            return target.get(thread);
        } catch (NoSuchFieldException e) {
            Field holder = Thread.class.getDeclaredField("holder");
            holder.setAccessible(true);
            Object h = holder.get(thread);
            Field task = h.getClass().getDeclaredField("task");
            task.setAccessible(true);
            return task.get(h);
        }
    }
}
