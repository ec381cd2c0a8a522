package dev.clstream.cli;

import dev.clstream.bundle.BuiltInBundles;
import dev.clstream.bundle.BundleException;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.ParityFile;
import dev.clstream.event.TextPreview;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.ParityCheck;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clstream verify-bundle DIR}: loads a bundle (checksums, manifest, graph signature) and runs
 * its parity.json through the Java engine. Exit status 0 when every text is within tolerance, 1
 * when one is not, 2 when the bundle cannot be loaded or has no parity.json.
 */
@Command(name = "verify-bundle", mixinStandardHelpOptions = true,
        description = "Check a bundle: its files and graph, then its parity.json (reference token ids, h_0 and "
                + "probabilities) through this engine. Exit 0: passed, 1: outside tolerance, 2: not loadable.")
final class VerifyBundleCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR|NAME", description = "Bundle directory or built-in bundle name")
    String bundle;

    @Option(names = "--provider", defaultValue = "cpu",
            description = "Execution provider: cpu, cuda or cuda:<device>. Default: ${DEFAULT-VALUE}")
    String provider;

    @Option(names = {"-q", "--quiet"}, description = "Print only the summary line and failing texts")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ModelBundle loaded = BuiltInBundles.load(bundle);
        ParityFile parity = ParityFile.of(loaded).orElseThrow(() -> new BundleException("bundle " + loaded.directory()
                + " has no " + ParityFile.FILE_NAME + " to verify against"));
        PrintWriter out = spec.commandLine().getOut();
        ParityCheck.Report report;
        try (InferenceEngine engine = InferenceEngine.open(loaded, InferenceOptions.forProvider(provider))) {
            report = ParityCheck.run(engine, parity);
        }
        out.printf("bundle %s (%s, %s): %d parity texts%n", loaded.manifest().id(), loaded.directory(),
                parity.variant(), parity.texts().size());
        for (ParityCheck.TextResult t : report.texts()) {
            if (quiet && t.passed()) {
                continue;
            }
            out.printf("  #%-3d %-4s tokens %-4d h_0 diff %-9s probs diff %-9s %s%n", t.index(),
                    t.passed() ? "ok" : "FAIL", t.tokens(), format(t.embeddingDiff()), format(t.probabilityDiff()),
                    t.passed() ? TextPreview.oneLine(t.text(), 48) : t.problem() + " | " + TextPreview.oneLine(t.text(), 48));
        }
        out.println(report.summary());
        out.flush();
        return report.passed() ? 0 : 1;
    }

    private static String format(double d) {
        return Double.isNaN(d) ? "-" : String.format("%.2e", d);
    }
}
