package dev.clstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.testing.TestBundles;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * h_0 really is the [CLS] state: langchain4j's bge-small model pools the [CLS] row and normalises
 * it, so after L2 normalisation our h_0 must point the same way for every text.
 */
class ClsEmbeddingParityTest {

    static final List<String> TEXTS = List.of(
            "Hello world",
            "Congratulations! You have WON a $1,000,000 prize. Click here to claim now!!!",
            "Can we move tomorrow's meeting to 3pm? I have a conflict with the design review.",
            "The quarterly report shows revenue grew 12% year over year, driven by cloud services.",
            "URGENT: your account has been suspended. Verify your password at http://example.com/login",
            "Re: [ILUG] Linux kernel 2.4.19 compile problem with the new gcc",
            "I think the patch looks fine, but please add a unit test for the null case.",
            "Buy cheap meds online!!! No prescription needed. Discreet shipping worldwide.",
            "the cat sat on the mat",
            "The Cat Sat On The Mat.",
            "Kafka Streams processes records one at a time with millisecond latency.",
            "Numbers: 3.14159 2.71828 1.41421 42 1e-9 0xDEADBEEF",
            "Ünïcödé àccents and naïve café façade",
            "Emoji are fine too 🎉🚀👍 and so are symbols ™ © ®",
            "日本語のテキストも処理できます。",
            "مرحبا بالعالم، هذا نص باللغة العربية",
            "שלום עולם, זהו טקסט בעברית",
            "Mixed English and 中文 text in one sentence",
            "a",
            "?",
            "Dear friend, I am a prince and I need your help transferring 25 million dollars out of my country. "
                    + "You will receive 30 percent of the total sum for your assistance. Please reply with your bank "
                    + "details and full name so that we can proceed with the transfer immediately.",
            "Subject: lunch?\n\nAnyone up for lunch at the Thai place around 12:30? I'll book a table.",
            "<html><body>not really html</body></html>",
            "Tabs\tand\nnewlines\r\nare whitespace");

    @Test
    void normalisedClsMatchesLangchain4jBgeSmall(@TempDir Path dir) {
        BgeSmallEnV15EmbeddingModel reference = new BgeSmallEnV15EmbeddingModel();
        try (InferenceEngine engine = InferenceEngine.open(TestBundles.bgeSmall(dir, 512),
                EncoderOptions.builder().concurrency(1).build())) {
            List<Prediction> ours = engine.predict(TEXTS.stream().map(engine::tokenize).toList());
            double worst = 1;
            for (int i = 0; i < TEXTS.size(); i++) {
                float[] expected = reference.embed(TEXTS.get(i)).content().vector();
                float[] actual = ours.get(i).embedding();
                assertEquals(384, actual.length);
                double cos = Vectors.cosine(actual, expected);
                worst = Math.min(worst, cos);
                assertTrue(cos >= 0.9999, "text " + i + " '" + TEXTS.get(i) + "': cosine " + cos);
            }
            System.out.printf("h_0 vs langchain4j BgeSmallEnV15EmbeddingModel: %d texts, worst cosine %.7f%n",
                    TEXTS.size(), worst);
        }
    }
}
