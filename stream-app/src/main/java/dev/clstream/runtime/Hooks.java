package dev.clstream.runtime;

import dev.clstream.inference.RunInterceptor;
import dev.clstream.serde.SchemaRegistryClient;
import java.util.function.UnaryOperator;

/**
 * Seams for tests that need a fault where production has none: an encoder that is slow or fails
 * ({@link RunInterceptor}), a Schema Registry client that answers wrongly for a while. The app
 * itself always starts with {@link #NONE}.
 */
public record Hooks(RunInterceptor encoder, UnaryOperator<SchemaRegistryClient> registry) {
    public static final Hooks NONE = new Hooks(RunInterceptor.NONE, UnaryOperator.identity());

    public static Hooks encoder(RunInterceptor encoder) {
        return new Hooks(encoder, UnaryOperator.identity());
    }

    public static Hooks registry(UnaryOperator<SchemaRegistryClient> registry) {
        return new Hooks(RunInterceptor.NONE, registry);
    }
}
