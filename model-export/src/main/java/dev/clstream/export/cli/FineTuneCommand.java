package dev.clstream.export.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * Runs {@code model-export/fine_tune.py} (PyTorch): with this machine's python3 when it has torch,
 * transformers, tokenizers, onnx and onnxruntime, else inside the Debian tree that
 * {@code model-export/python-env.sh} builds. Every argument goes to the script.
 */
@Command(name = "fine-tune", description = "Fine-tune an encoder and a linear head on its [CLS] state with "
        + "model-export/fine_tune.py and export the result as a bundle. Arguments go to the script: SOURCE OUT --data "
        + "FILE [--format labeled|spamassassin] [--held-out FILE] [--epochs N] ... (fine-tune -- --help lists them). "
        + "Runs in model-export/python-env.sh's tree where this machine's python3 lacks the packages; there, paths "
        + "must be inside the repository.")
final class FineTuneCommand implements Callable<Integer> {
    static final String PACKAGES = "import torch, transformers, tokenizers, onnx, onnxruntime";

    @Option(names = "--python-env", paramLabel = "DIR", defaultValue = "/opt/clstream-python",
            description = "The python-env.sh tree to use when python3 lacks the packages. Default: ${DEFAULT-VALUE}")
    Path pythonEnv;

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("clstream.export.home", "model-export")).toAbsolutePath().normalize();
        Path script = home.resolve("fine_tune.py");
        if (!Files.isRegularFile(script)) {
            System.err.println("fine-tune: " + script + " is missing; run bin/clstream-export from a source checkout");
            return 2;
        }
        List<String> command = new ArrayList<>();
        if (succeeds(List.of("python3", "-c", PACKAGES))) {
            command.addAll(List.of("python3", script.toString()));
        } else if (Files.isRegularFile(pythonEnv.resolve(".clstream-python-complete"))) {
            command.addAll(List.of("bash", home.resolve("python-env.sh").toString(), pythonEnv.toString(), "run",
                    "python3", script.toString()));
        } else {
            System.err.println("fine-tune: python3 here lacks torch, transformers, tokenizers, onnx or onnxruntime, "
                    + "and there is no Python environment in " + pythonEnv + ". Either 'pip install -r "
                    + home.resolve("requirements.txt") + "', or build one as root: 'model-export/python-env.sh "
                    + pythonEnv + "' (Debian's packages; see README.md)");
            return 2;
        }
        command.addAll(args);
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    private static boolean succeeds(List<String> command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
