package dev.clstream.inference;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.testing.TestBundles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExecutionProviderTest {

    @ParameterizedTest
    @CsvSource({"cpu, CPU, 0", "CPU, CPU, 0", "' cpu ', CPU, 0", "cuda, CUDA, 0", "cuda:0, CUDA, 0",
            "cuda:1, CUDA, 1", "CUDA:7, CUDA, 7"})
    void parses(String text, ExecutionProvider.Kind kind, int device) {
        ExecutionProvider p = ExecutionProvider.parse(text);
        assertEquals(kind, p.kind());
        assertEquals(device, p.deviceId());
        assertEquals(p, ExecutionProvider.parse(p.toString()));
    }

    @Test
    void printsInTheFormItParses() {
        assertEquals("cpu", ExecutionProvider.CPU.toString());
        assertEquals("cuda:0", ExecutionProvider.parse("cuda").toString());
        assertEquals("cuda:3", ExecutionProvider.parse("cuda:3").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpu", "cuda:-1", "cuda:x", "cuda:", "cuda:1.5", "cpu:0", "", "tensorrt", "cuda1"})
    void rejectsOtherValuesListingTheAllowedOnes(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parse(text));
        assertMessageNames(e, "'" + text + "'");
        assertMessageNames(e, "cpu, cuda, cuda:<device number>");
    }

    @Test
    void rejectsNull() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parse(null));
        assertMessageNames(e, "cpu, cuda");
    }

    @Test
    void rejectsNegativeDeviceInTheConstructor() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ExecutionProvider(ExecutionProvider.Kind.CUDA, -1));
        assertMessageNames(e, "device id");
    }

    /**
     * The -Pgpu build (onnxruntime_gpu) on a machine without the CUDA libraries: asking for CUDA fails at once, naming
     * what the GPU build needs, and the CPU still works. GpuBuildIT runs this test on that build; on the CPU build it
     * is skipped, and on a machine with CUDA 12 the provider simply starts.
     */
    @Test
    void cudaOnTheGpuBuildWithoutTheCudaLibrariesSaysWhatIsMissing(@TempDir Path dir) {
        assumeTrue(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "this is the CPU-only ONNX Runtime build; GpuBuildIT runs this test on the -Pgpu build");
        ModelBundle bundle = TestBundles.tiny(dir);
        EncoderOptions cuda = EncoderOptions.builder().provider(ExecutionProvider.parse("cuda:0")).build();
        try (InferenceEngine onGpu = InferenceEngine.open(bundle, cuda)) {
            System.out.println("CUDA started here: the missing-library message does not apply");
            return;
        } catch (InferenceException e) {
            System.out.println("the message a user gets: " + e.getMessage());
            assertMessageNames(e, "cuda:0");
            assertMessageNames(e, "could not be started");
            assertMessageNames(e, "CUDA 12 and cuDNN 9");
        }
        try (InferenceEngine cpu = InferenceEngine.open(bundle, EncoderOptions.builder().concurrency(1).build())) {
            assertEquals(8, cpu.hiddenSize());
        }
    }

    @Test
    void cudaOnACpuOnlyBuildFailsSayingHowToGetIt(@TempDir Path dir) {
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "this ONNX Runtime build has CUDA; the CPU-only message does not apply");
        ModelBundle bundle = TestBundles.tiny(dir);
        EncoderOptions cuda = EncoderOptions.builder().provider(ExecutionProvider.parse("cuda:0")).build();
        InferenceException e = assertThrows(InferenceException.class, () -> {
            try (InferenceEngine ignored = InferenceEngine.open(bundle, cuda)) {
                // must not get here
            }
        });
        assertMessageNames(e, "cuda:0");
        assertMessageNames(e, "no CUDA provider");
        assertMessageNames(e, "-Pgpu");
        // The failed open left nothing behind: the same bundle still opens on the CPU.
        try (InferenceEngine cpu = InferenceEngine.open(bundle, EncoderOptions.builder().concurrency(1).build())) {
            assertEquals(8, cpu.hiddenSize());
        }
    }
}
