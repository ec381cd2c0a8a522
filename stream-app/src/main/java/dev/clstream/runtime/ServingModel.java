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
            InferenceEngine engine = closer.register(InferenceEngine.open(config.servedBundle(bundle),
                    config.encoderOptions().toBuilder()
                    .optRunInterceptor(hooks.encoder()).build()));
            if (config.modelVerify()) {
                // Catches a bundle that loads but computes something else here (another ONNX Runtime, CPU or
                // provider) before any event is labeled with it.
                ParityCheck.requirePassing(engine).ifPresent(r -> LOG.info("{}: {}", bundle.manifest().id(),
                        r.summary()));
            }
            health.modelLoaded();
            return engine;
        } catch (RuntimeException e) {
            health.modelFailed(e.getMessage());
            throw e;
        }
    }
}
