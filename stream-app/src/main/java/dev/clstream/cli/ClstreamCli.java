package dev.clstream.cli;

import dev.clstream.secrets.Secrets;
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
            cmd.getErr().println("clstream " + cmd.getCommandName() + ": " + Secrets.mask(causes(e)));
            return 2;
        });
        return cl;
    }

    /**
     * The message of {@code e} and of each cause that adds to it: a client's "Failed to create new KafkaAdminClient"
     * alone does not say that its JAAS line or trust store was wrong.
     */
    static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && !sb.toString().contains(m)) {
                sb.append(": ").append(m);
            }
        }
        return sb.toString();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ClstreamCli.class.getPackage().getImplementationVersion();
            return new String[] {"clstream " + (v == null ? "dev" : v)};
        }
    }
}
