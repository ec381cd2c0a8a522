package dev.clstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code clstream} command line. */
@Command(name = "clstream", mixinStandardHelpOptions = true, versionProvider = ClstreamCli.Version.class,
        description = "Real-time text classification for Apache Kafka: [CLS] embeddings and labels from an ONNX encoder.",
        subcommands = {RunCommand.class, DemoCommand.class, ProduceCommand.class, TailCommand.class, ClassifyCommand.class,
                VerifyBundleCommand.class, TopicsCommand.class, CommandLine.HelpCommand.class})
public final class ClstreamCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests run it in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ClstreamCli());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("clstream " + cmd.getCommandName() + ": " + e.getMessage());
            return 2;
        });
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ClstreamCli.class.getPackage().getImplementationVersion();
            return new String[] {"clstream " + (v == null ? "dev" : v)};
        }
    }
}
