package dev.clstream.runtime;

import dev.clstream.bundle.BuiltInBundles;
import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.ModelRepository;
import dev.clstream.bundle.Sha256;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.ParityCheck;
import dev.clstream.inference.ServingEngine;
import dev.clstream.topology.PipelineListener;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model the app serves: a bundle (a directory or a built-in name), or a model repository
 * ({@link ModelRepository}) whose highest version serves. With a repository, {@code model.reload.interval.ms} polls
 * it: a new version (or, after the newest is removed, the one below it) is loaded and checked in the background
 * (checksums, the graph against the bundle, the head's shape, {@code parity.json} when {@code model.verify} is on),
 * then swapped in ({@link ServingEngine}), and tasks take it up between micro-batches. A version that fails is
 * refused, with the reason in the log, {@code /info} and a metric, and the serving version goes on.
 */
final class ServingModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServingModel.class);

    private final ClstreamConfig config;
    /** How its engines run: the configured options, with the test seams for the serving model. */
    private final EncoderOptions options;
    /** The repository, or null for a single bundle. */
    private final Path repository;
    /**
     * The bundle found to serve first, before its engine opens; its labels every later version must have. Set once,
     * by {@link #locate}.
     */
    private ModelBundle first;
    /** Refused versions and why, newest first; and the bundle.json each was refused as, so a fixed one is tried again. */
    private final Map<String, String> refused = new ConcurrentSkipListMap<>(ModelRepository.ORDER.reversed());
    /** The sha256 of the bundle.json each version was refused as: a version republished in place is tried again. */
    private final Map<String, String> refusedAs = new ConcurrentHashMap<>();
    private PipelineListener listener = PipelineListener.NONE;
    private ServingEngine serving;
    private ScheduledExecutorService poller;

    private ServingModel(ClstreamConfig config, EncoderOptions options, Path repository) {
        this.config = config;
        this.options = options;
        this.repository = repository;
    }

    /**
     * Finds what {@code model.bundle} names and loads the bundle to serve first (checksums verified): the bundle
     * itself, or the highest version of a repository that loads (lower ones are tried when it does not, each refusal
     * kept); fails when there is none.
     */
    static ServingModel locate(ClstreamConfig config, Hooks hooks) {
        return locate(config, config.modelBundle(),
                config.encoderOptions().toBuilder().optRunInterceptor(hooks.encoder()).build());
    }

    /**
     * {@link #locate(ClstreamConfig, Hooks)} for the bundle or repository {@code spec} (the shadow model's), its
     * engines run with {@code options}.
     */
    static ServingModel locate(ClstreamConfig config, String spec, EncoderOptions options) {
        Path dir = BuiltInBundles.resolve(spec);
        if (!ModelRepository.isRepository(dir)) {
            ServingModel model = new ServingModel(config, options, null);
            model.first = ModelBundle.load(dir);
            return model;
        }
        ServingModel model = new ServingModel(config, options, dir);
        for (ModelRepository.Version v : ModelRepository.versions(dir)) {
            try {
                model.first = ModelRepository.load(v);
                return model;
            } catch (RuntimeException e) {
                model.refuse(v, e);
            }
        }
        throw new BundleException("model.bundle " + dir + " is neither a bundle (it has no "
                + BundleManifest.FILE_NAME + ") nor a model repository with a version that loads (<version>/"
                + BundleManifest.FILE_NAME + ")" + (model.refused.isEmpty() ? "" : "; refused: " + model.refused));
    }

    /** The manifest of the bundle to serve first: what the live page and /info show before the engine opens. */
    BundleManifest firstManifest() {
        return first.manifest();
    }

    /**
     * Opens the first bundle's engine (checked against its parity file with {@code model.verify}); with a repository,
     * a version that fails here is refused and the next lower one tried. Then starts polling the repository.
     * Readiness says how it went (it said "loading" before); a null {@code health} is told nothing (a shadow model).
     */
    ServingEngine start(RuntimeHealth health, PipelineListener listener) {
        this.listener = listener;
        // Versions refused while the first one was found: the meters hear of them now.
        refused.forEach(listener::modelRefused);
        try {
            serving = ServingEngine.owning(openFirst());
            if (health != null) {
                health.modelLoaded();
            }
        } catch (RuntimeException e) {
            if (health != null) {
                health.modelFailed(e.getMessage());
            }
            throw e;
        }
        long interval = config.modelReloadIntervalMs();
        if (repository != null && interval > 0) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "clstream-model-reload");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleWithFixedDelay(this::poll, interval, interval, TimeUnit.MILLISECONDS);
        }
        return serving;
    }

    private InferenceEngine openFirst() {
        if (repository == null) {
            return openChecked(first);
        }
        try {
            return openChecked(first);
        } catch (RuntimeException e) {
            refuse(new ModelRepository.Version(first.manifest().version(), first.directory()), e);
        }
        for (ModelRepository.Version v : ModelRepository.versions(repository)) {
            if (ModelRepository.compareVersions(v.name(), first.manifest().version()) < 0) {
                try {
                    return openChecked(load(v));
                } catch (RuntimeException e) {
                    refuse(v, e);
                }
            }
        }
        throw new BundleException("model repository " + repository + ": no version passes its checks; refused: "
                + refused);
    }

    /** One poll: the highest version present that was not refused serves, if it does not already. */
    private void poll() {
        // Anything thrown out of a scheduled task ends its schedule for good: nothing may.
        try {
            ModelRepository.Version target = ModelRepository.versions(repository).stream()
                    .filter(v -> !stillRefused(v)).findFirst().orElse(null);
            String serves = serving.current().manifest().version();
            if (target == null || target.name().equals(serves)) {
                return;
            }
            InferenceEngine next;
            try {
                next = openChecked(load(target));
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return; // shutting down: the version is not at fault
                }
                refuse(target, e);
                return;
            }
            serving.swap(next); // closes next itself when the app is shutting down
            LOG.info("model {} now serves (was version {}); tasks take it up at their next micro-batch",
                    next.manifest().id(), serves);
            listener.modelServed(next.manifest());
        } catch (Throwable e) {
            // A poll that cannot even list the repository (a volume remounting) tries again at the next one.
            LOG.warn("model repository {}: {}", repository, e.toString());
        }
    }

    /**
     * A repository version, loaded and held to the first version's primary labels (the label statistics, the live
     * page and the meters key on them); the heads after the primary may differ, each output lists its own.
     */
    private ModelBundle load(ModelRepository.Version v) {
        ModelBundle bundle = ModelRepository.load(v);
        List<String> labels = bundle.manifest().labels();
        if (!labels.equals(first.manifest().labels())) {
            throw new BundleException("bundle " + bundle.directory() + " has labels " + labels + " (its primary "
                    + "head's) but the app serves " + first.manifest().labels() + "; a version with other labels "
                    + "needs a restart");
        }
        return bundle;
    }

    /** Opens the engine of {@code bundle} as served here and, with {@code model.verify}, checks its parity file. */
    private InferenceEngine openChecked(ModelBundle bundle) {
        ModelBundle served = config.servedBundle(bundle);
        if (config.modelVerify() && served != bundle) {
            // parity.json was recorded reading as many windows as the bundle says; text.max.chunks reads
            // fewer, so the check runs on the bundle as it was recorded, before the served engine opens.
            try (InferenceEngine asRecorded = InferenceEngine.open(bundle, config.encoderOptions())) {
                verify(asRecorded);
            }
        }
        InferenceEngine engine = InferenceEngine.open(served, options);
        try {
            if (config.modelVerify() && served == bundle) {
                verify(engine);
            }
            return engine;
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /**
     * Catches a bundle that loads but computes something else here (another ONNX Runtime, CPU or provider) before
     * any event is labeled with it.
     */
    private static void verify(InferenceEngine engine) {
        ParityCheck.requirePassing(engine).ifPresent(r -> LOG.info("{}: {}", engine.manifest().id(), r.summary()));
    }

    private void refuse(ModelRepository.Version v, RuntimeException e) {
        String reason = String.valueOf(e.getMessage());
        refused.put(v.name(), reason);
        refusedAs.put(v.name(), stamp(v));
        LOG.warn("model version {} in {} is refused, the serving version goes on: {}", v.name(), repository,
                reason);
        listener.modelRefused(v.name(), reason);
    }

    private boolean stillRefused(ModelRepository.Version v) {
        return refused.containsKey(v.name()) && Objects.equals(refusedAs.get(v.name()), stamp(v));
    }

    /** What a version's bundle.json holds (its hash; it lists every file's checksum), or "" when unreadable. */
    private static String stamp(ModelRepository.Version v) {
        try {
            return Sha256.of(v.directory().resolve(BundleManifest.FILE_NAME));
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** The repository; empty for a single bundle. */
    Optional<Path> repository() {
        return Optional.ofNullable(repository);
    }

    /** Versions refused since start, newest first, with the reason. */
    Map<String, String> refused() {
        return Collections.unmodifiableMap(refused);
    }

    /** Stops polling (waiting for a load in progress) before the engines close. */
    @Override
    public void close() {
        try {
            if (poller != null) {
                poller.shutdownNow();
                if (!poller.awaitTermination(60, TimeUnit.SECONDS)) {
                    LOG.warn("a model version was still loading after 60 s at shutdown");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (serving != null) {
                serving.close();
            }
        }
    }
}
