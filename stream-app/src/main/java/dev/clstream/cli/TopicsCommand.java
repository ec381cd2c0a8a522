package dev.clstream.cli;

import dev.clstream.config.ClstreamConfig;
import dev.clstream.runtime.AppTopics;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code clstream topics create|describe}: the app's topics on a real cluster, from the same configuration as {@code run}. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create or describe the topics the app reads and writes (input, labels, embeddings, dead letters, "
                + "label statistics, as enabled), from the same configuration as 'run'.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.Describe.class})
final class TopicsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: create or describe");
    }

    /** The configuration and an admin client for it; real clusters only. */
    static Admin admin(ClstreamConfig config, String command) {
        if (!config.hasBootstrapServers()) {
            throw new IllegalArgumentException("topics " + command + " needs bootstrap.servers (--bootstrap-servers): "
                    + "embedded mode creates its own topics");
        }
        return Admin.create(config.adminProperties());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the app's missing topics; existing ones are left as they are. Dead letters are kept "
                    + "30 days; label statistics are compacted.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Option(names = "--partitions", paramLabel = "N",
                description = "Partitions of each new topic (default: the input topic's when it exists, else the broker's default)")
        Integer partitions;

        @Option(names = "--replication-factor", paramLabel = "R",
                description = "Replication factor of each new topic (default: the broker's default)")
        Short replicationFactor;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (partitions != null && partitions < 1) {
                throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
            }
            if (replicationFactor != null && replicationFactor < 1) {
                throw new IllegalArgumentException("--replication-factor must be >= 1, got " + replicationFactor);
            }
            ClstreamConfig c = config.load();
            PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = admin(c, "create")) {
                List<String> done = AppTopics.create(admin, c, Optional.ofNullable(partitions),
                        Optional.ofNullable(replicationFactor));
                done.forEach(out::println);
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show each of the app's topics: partitions, replication and the configs that matter here. "
                    + "Exit status 1 when one is missing.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ClstreamConfig c = config.load();
            PrintWriter out = spec.commandLine().getOut();
            boolean allThere = true;
            try (Admin admin = admin(c, "describe")) {
                for (AppTopics.State s : AppTopics.describe(admin, c)) {
                    allThere &= s.exists();
                    out.println(s.exists()
                            ? String.format("%-40s %-16s %d partitions, replication %d, %s", s.spec().name(),
                                    s.spec().role(), s.partitions(), s.replicationFactor(), s.configs())
                            : String.format("%-40s %-16s MISSING (clstream topics create)", s.spec().name(),
                                    s.spec().role()));
                }
            }
            out.flush();
            return allThere ? 0 : 1;
        }
    }
}
