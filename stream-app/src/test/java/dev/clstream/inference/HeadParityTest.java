package dev.clstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.ParityFile;
import dev.clstream.testing.TestBundles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** parity.json of a bundle with several heads: the further heads' probabilities are recorded and checked by name. */
class HeadParityTest {
    private static final List<String> TEXTS = List.of("the cat sat on the mat", "hello world");

    @Test
    void everyRecordedHeadIsCheckedByName(@TempDir Path dir) {
        ModelBundle bundle = TestBundles.withParity(TestBundles.tinyWithHeads(dir, TestBundles.TINY_HEADS), TEXTS, 0);
        ParityFile parity = ParityFile.of(bundle).orElseThrow();
        assertEquals(List.of("topic", "urgency"), parity.texts().get(0).heads().keySet().stream().sorted().toList());
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults())) {
            assertTrue(ParityCheck.run(engine, parity).passed(), ParityCheck.run(engine, parity).summary());

            // Another machine computing the topic head differently looks like this.
            List<ParityFile.Entry> moved = new ArrayList<>();
            for (ParityFile.Entry e : parity.texts()) {
                Map<String, double[]> heads = new HashMap<>(e.heads());
                double[] topic = heads.get("topic").clone();
                topic[0] += 0.25;
                heads.put("topic", topic);
                moved.add(new ParityFile.Entry(e.text(), e.inputIds(), e.tokenTypeIds(), e.truncated(),
                        e.clsEmbedding(), e.probabilities(), heads));
            }
            ParityCheck.Report report = ParityCheck.run(engine, new ParityFile(parity.reference(), parity.variant(),
                    parity.embeddingTolerance(), parity.probabilityTolerance(), moved));
            assertFalse(report.passed());
            assertTrue(report.texts().get(0).problem().contains("head 'topic'"), report.texts().get(0).problem());
        }
    }

    /** A reference recorded before heads were added checks h_0 and the primary, which the heads leave alone. */
    @Test
    void aReferenceWithoutTheFurtherHeadsStillPasses(@TempDir Path dir) {
        ModelBundle one = TestBundles.withParity(TestBundles.tiny(dir.resolve("one")), TEXTS, 0);
        ModelBundle three = TestBundles.tinyWithHeads(dir.resolve("three"), TestBundles.TINY_HEADS);
        try (InferenceEngine engine = InferenceEngine.open(three, EncoderOptions.defaults())) {
            assertTrue(ParityCheck.run(engine, ParityFile.of(one).orElseThrow()).passed());
        }
    }
}
