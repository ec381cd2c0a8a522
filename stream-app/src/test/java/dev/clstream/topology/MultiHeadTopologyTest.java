package dev.clstream.topology;

import static dev.clstream.testing.TopologyFixture.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clstream.bundle.ClassifierHead;
import dev.clstream.bundle.LogitsSource;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.inference.Classification;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Prediction;
import dev.clstream.inference.Softmax;
import dev.clstream.testing.TestBundles;
import dev.clstream.testing.TopologyFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle with three heads: one encoder pass per text gives every head's softmax(W·h_0 + b); the labeled event's own
 * fields are the primary's, and {@code heads} lists every head by name, in the bundle's order.
 */
class MultiHeadTopologyTest {
    private static final List<String> TEXTS = List.of("the cat sat on the mat", "a dog barked at the moon",
            "hello world again");

    @Test
    void everyHeadIsItsSoftmaxOfTheOneEmbedding(@TempDir Path dir) {
        List<ClassifierHead> heads = TestBundles.TINY_HEADS;
        ModelBundle bundle = TestBundles.tinyWithHeads(dir.resolve("heads"), heads);
        try (InferenceEngine three = InferenceEngine.open(bundle, EncoderOptions.defaults());
             InferenceEngine one = InferenceEngine.open(TestBundles.tiny(dir.resolve("one")), EncoderOptions.defaults())) {
            List<Prediction> predicted = three.predict(TEXTS.stream().map(three::tokenize).toList());
            List<Prediction> primaryOnly = one.predict(TEXTS.stream().map(one::tokenize).toList());
            for (int t = 0; t < TEXTS.size(); t++) {
                Prediction p = predicted.get(t);
                assertEquals(3, p.heads().size());
                for (int h = 0; h < heads.size(); h++) {
                    LogitsSource.LinearHead linear = (LogitsSource.LinearHead) heads.get(h).logits();
                    Classification c = p.heads().get(h);
                    assertEquals(heads.get(h).labels(), c.labels());
                    assertArrayEquals(Softmax.apply(linear.logits(p.embedding())), c.probabilities(), 1e-6f,
                            heads.get(h).name() + " on " + TEXTS.get(t));
                }
                assertArrayEquals(primaryOnly.get(t).embedding(), p.embedding(), "the same encoder");
                assertArrayEquals(primaryOnly.get(t).classification().probabilities(),
                        p.classification().probabilities(), "the primary is the one-head bundle's head");
            }
        }
    }

    @Test
    void theLabeledEventCarriesEveryHeadAndThePrimaryAtTheTop(@TempDir Path dir) {
        ModelBundle bundle = TestBundles.tinyWithHeads(dir, TestBundles.TINY_HEADS);
        try (InferenceEngine engine = InferenceEngine.open(bundle, EncoderOptions.defaults());
             TopologyFixture h = TopologyFixture.over(engine).set("batch.max.size", "1").build()) {
            h.send("k", "{\"id\":\"e1\",\"text\":\"" + TEXTS.get(0) + "\"}");
            JsonNode out = json(h.labels().readValue());
            Prediction expected = engine.predict(List.of(engine.tokenize(TEXTS.get(0)))).get(0);

            JsonNode heads = out.get("heads");
            assertEquals(List.of("sentiment", "topic", "urgency"),
                    List.of(heads.get(0).get("name").asText(), heads.get(1).get("name").asText(),
                            heads.get(2).get("name").asText()));
            for (int i = 0; i < 3; i++) {
                Classification c = expected.heads().get(i);
                assertEquals(c.label(), heads.get(i).get("label").asText());
                assertEquals(c.score(), heads.get(i).get("score").floatValue());
                assertEquals(c.labels().size(), heads.get(i).get("probabilities").size());
            }
            assertEquals(heads.get(0).get("label"), out.get("label"));
            assertEquals(heads.get(0).get("probabilities"), out.get("probabilities"));
        }
    }

    /** A format-1 bundle's one unnamed head is the record's own fields; heads stays empty rather than repeat them. */
    @Test
    void aOneHeadBundlesRecordsListNoHeads(@TempDir Path dir) {
        try (InferenceEngine engine = InferenceEngine.open(TestBundles.tiny(dir), EncoderOptions.defaults());
             TopologyFixture h = TopologyFixture.over(engine).set("batch.max.size", "1").build()) {
            h.send("k", "{\"id\":\"e1\",\"text\":\"" + TEXTS.get(1) + "\"}");
            JsonNode out = json(h.labels().readValue());
            assertEquals(0, out.get("heads").size(), out.toString());
            assertEquals(engine.predict(List.of(engine.tokenize(TEXTS.get(1)))).get(0).classification().label(),
                    out.get("label").asText());
        }
    }

}
