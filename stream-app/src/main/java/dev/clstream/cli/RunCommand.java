package dev.clstream.cli;

import dev.clstream.runtime.ClstreamRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code clstream run}: the stream processor, until it is stopped (SIGINT/SIGTERM close it cleanly). */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the stream processor. Without bootstrap.servers it starts a real single-node Kafka broker "
                + "in this JVM (embedded mode) with an in-JVM schema registry.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws Exception {
        ShutdownSignal signal = ShutdownSignal.install();
        try (ClstreamRuntime runtime = ClstreamRuntime.start(config.load())) {
            System.err.println("clstream: running; bootstrap.servers=" + runtime.bootstrapServers()
                    + "; input topic " + runtime.config().inputTopic()
                    + runtime.httpUrl().map(u -> "; metrics and health at " + u).orElse("") + " (Ctrl-C to stop)");
            signal.awaitRequest();
        } finally {
            signal.closed();
        }
        return 0;
    }
}
