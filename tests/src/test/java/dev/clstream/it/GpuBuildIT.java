package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.testing.RequiredTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The GPU build ({@code -Pgpu}: {@code onnxruntime_gpu} instead of {@code onnxruntime}) compiles and passes the
 * stream-app unit tests, here, without CUDA: a nested Maven build of schemas and stream-app into {@code target-gpu}
 * (beside the CPU build's {@code target}). Among those tests, the one that shows the message a user gets when the
 * CUDA libraries are missing must have run, not been skipped. Every {@code onnxruntime_gpu} on Maven Central links
 * CUDA 12, so the GPU path itself cannot run on a CUDA 13 machine: this is what the project can check of it.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class GpuBuildIT {
    static final String MISSING_CUDA_TEST = "cudaOnTheGpuBuildWithoutTheCudaLibrariesSaysWhatIsMissing";

    @Test
    void theGpuBuildCompilesAndPassesTheUnitTests() throws Exception {
        Path root = ExternalTools.repoRoot();
        Path mvn = Path.of(System.getProperty("clstream.maven.home"), "bin", "mvn");
        List<String> command = new ArrayList<>(List.of(mvn.toString(), "-B", "-ntp", "-f", root.resolve("pom.xml")
                        .toString(), "-Pgpu", "-pl", "schemas,stream-app", "-Dbuild.dir.name=target-gpu",
                "-Dmaven.repo.local=" + System.getProperty("clstream.maven.repo"), "test"));
        // "offline=true" or "offline=false": a plain ${settings.offline} is not a string to failsafe.
        boolean offline = System.getProperty("clstream.maven.offline", "").endsWith("=true");
        if (offline) {
            command.add(1, "-o");
        }
        ExternalTools.Result r = ExternalTools.run(root, 840, command.toArray(String[]::new));
        if (offline && r.output().contains("onnxruntime_gpu") && r.output().contains("offline")) {
            RequiredTools.requirePresent(false, "the -Pgpu build needs onnxruntime_gpu in the local Maven repository; "
                    + "build once online");
        }
        String tail = r.output().substring(Math.max(0, r.output().length() - 6_000));
        assertEquals(0, r.exitCode(), "mvn -Pgpu test failed:\n" + tail);

        Path report = root.resolve("stream-app/target-gpu/surefire-reports/"
                + "TEST-dev.clstream.inference.ExecutionProviderTest.xml");
        assertTrue(Files.isRegularFile(report), "no surefire report " + report);
        String xml = Files.readString(report);
        int at = xml.indexOf("name=\"" + MISSING_CUDA_TEST); // then its parameters: "(Path)"
        assertTrue(at >= 0, MISSING_CUDA_TEST + " is not in " + report);
        String testcase = xml.substring(at, xml.indexOf("</testcase>", at) < 0 ? xml.length()
                : xml.indexOf("</testcase>", at));
        assertTrue(!testcase.contains("<skipped"), MISSING_CUDA_TEST + " was skipped on the GPU build: " + testcase);
        System.out.println("[gpu-build] " + testcase.lines().filter(l -> l.contains("the message a user gets"))
                .findFirst().orElse("(CUDA started on this machine)"));
    }
}
