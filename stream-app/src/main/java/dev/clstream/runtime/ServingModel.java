package dev.clstream.runtime;

import dev.clstream.bundle.ModelBundle;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.ParityCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the model the app serves and, with {@code model.verify}, checks it against its parity file first. */
final class ServingModel {
    private static final Logger LOG = LoggerFactory.getLogger(ServingModel.class);

    private ServingModel() {}

    /** Opens the engine (registered with {@code closer}); readiness says how it went (it said "loading" before). */
    static InferenceEngine open(ModelBundle bundle, ClstreamConfig config, Hooks hooks, RuntimeHealth health,
                                Closer closer) {
        try {
            ModelBundle served = config.servedBundle(bundle);
            if (config.modelVerify() && served != bundle) {
                // parity.json was recorded reading as many windows as the bundle says; text.max.chunks reads
                // fewer, so the check runs on the bundle as it was recorded, before the served engine opens.
                try (InferenceEngine asRecorded = InferenceEngine.open(bundle, config.encoderOptions())) {
                    verify(asRecorded);
                }
            }
            InferenceEngine engine = closer.register(InferenceEngine.open(served,
                    config.encoderOptions().toBuilder().optRunInterceptor(hooks.encoder()).build()));
            if (config.modelVerify() && served == bundle) {
                verify(engine);
            }
            health.modelLoaded();
            return engine;
        } catch (RuntimeException e) {
            health.modelFailed(e.getMessage());
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
}
