package dev.clstream.export.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code clstream-export}: turns encoders into clstream bundles and puts classification heads on them. */
@Command(name = "clstream-export", mixinStandardHelpOptions = true, versionProvider = ExportCli.Version.class,
        description = "Build clstream model bundles: train a classification head on any encoder bundle, fine-tune an "
                + "encoder with its head, and evaluate them.",
        subcommands = {TrainHeadCommand.class, EvaluateCommand.class, FineTuneCommand.class,
            CommandLine.HelpCommand.class})
public final class ExportCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new ExportCli()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ExportCli.class.getPackage().getImplementationVersion();
            return new String[] {"clstream-export " + (v == null ? "dev" : v)};
        }
    }
}
