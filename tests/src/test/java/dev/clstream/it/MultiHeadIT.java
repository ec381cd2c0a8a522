package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.avro.HeadLabel;
import dev.clstream.avro.LabelProbability;
import dev.clstream.avro.LabeledEvent;
import dev.clstream.avro.TrustedClasses;
import dev.clstream.bundle.ClassifierHead;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.http.OpsRoutes;
import dev.clstream.inference.Classification;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Prediction;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.serde.AvroDeserializer;
import dev.clstream.testing.Http;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.TestBundles;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle with three heads on a real broker and registry, Avro output: every labeled event carries each head's
 * result, equal to what the engine computes for the text alone, with the primary's at the top; and a consumer still on
 * LabeledEvent v1 (the published schema before heads), reading with plain Avro and the writer schema fetched from the
 * registry's REST API, gets the primary's label and probabilities as before.
 */
@ExtendWith({KafkaTestCluster.class, SchemaRegistryServer.class})
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MultiHeadIT {
    static final int EVENTS = 300;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path V1 = ExternalTools.repoRoot().resolve("schemas/src/test/resources/schema-history/LabeledEvent/v1.avsc");

    @TempDir
    Path dir;

    @Test
    void everyHeadIsInEveryLabeledEventAndAV1ConsumerReadsThePrimary() throws Exception {
        TrustedClasses.install();
        ItSupport.Topics topics = ItSupport.createAppTopics("heads", 2);
        String bootstrap = KafkaTestCluster.bootstrapServers();
        List<ClassifierHead> heads = TestBundles.TINY_HEADS;
        Path bundle = TestBundles.tinyWithHeads(dir.resolve("heads"), heads).directory();
        Map<String, String> textOf = ItSupport.produceJsonEvents(topics.input(), EVENTS, "h-");
        Map<String, String> s = ItSupport.jsonAppSettings(topics, "heads-app", dir.resolve("state"));
        s.put(ClstreamConfig.MODEL_BUNDLE, bundle.toString());
        s.put(ClstreamConfig.OUTPUT_FORMAT, "avro");
        s.put(ClstreamConfig.SCHEMA_REGISTRY_URL, SchemaRegistryServer.url());
        List<ConsumerRecord<byte[], byte[]>> records;
        try (OutputCollector out = new OutputCollector(bootstrap, topics.outputs());
             ClstreamRuntime app = ClstreamRuntime.start(ClstreamConfig.of(s))) {
            ItSupport.awaitOrFail(120_000, () -> out.count(topics.labels()) >= EVENTS,
                    () -> "labels " + out.count(topics.labels()) + " of " + EVENTS + ", dead letters "
                            + out.count(topics.deadLetters()));
            ItSupport.sleep(1_000); // nothing more may arrive
            records = out.records(topics.labels());

            JsonNode info = JSON.readTree(Http.get(app.httpUrl().orElseThrow() + OpsRoutes.INFO).body());
            assertEquals(List.of("sentiment", "topic", "urgency"),
                    info.get("model").get("heads").findValuesAsText("name"));
        }

        AvroDeserializer<LabeledEvent> current = AvroDeserializer.specific(ItSupport.registryClient(), LabeledEvent.class);
        Schema v1 = new Schema.Parser().parse(V1.toFile());
        Map<Integer, Schema> writers = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        try (InferenceEngine alone = InferenceEngine.open(TestBundles.tinyWithHeads(dir.resolve("ref"), heads),
                EncoderOptions.builder().concurrency(1).build())) {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                LabeledEvent e = current.deserialize(r.topic(), r.value());
                seen.merge(e.getId(), 1, Integer::sum);
                Prediction expected = alone.predict(List.of(alone.tokenize(textOf.get(e.getId())))).get(0);
                assertEquals(heads.size(), e.getHeads().size(), e.getId());
                for (int h = 0; h < heads.size(); h++) {
                    HeadLabel got = e.getHeads().get(h);
                    Classification want = expected.heads().get(h);
                    assertEquals(heads.get(h).name(), got.getName());
                    assertEquals(want.label(), got.getLabel(), got.getName() + " of " + e.getId());
                    assertArrayEquals(want.probabilities(), floats(got.getProbabilities()), 1e-5f,
                            got.getName() + " of " + e.getId());
                    assertEquals(want.labels(), got.getProbabilities().stream().map(LabelProbability::getLabel).toList());
                }
                assertEquals(e.getHeads().get(0).getLabel(), e.getLabel());
                assertEquals(e.getHeads().get(0).getProbabilities(), e.getProbabilities());

                // The v1 consumer: Confluent framing (magic byte, schema id), the writer schema by id from the REST API.
                ByteBuffer framed = ByteBuffer.wrap(r.value());
                assertEquals(0, framed.get());
                Schema writer = writers.computeIfAbsent(framed.getInt(), SchemaRegistryServer::schemaById);
                GenericRecord old = new GenericDatumReader<GenericRecord>(writer, v1).read(null,
                        DecoderFactory.get().binaryDecoder(r.value(), 5, r.value().length - 5, null));
                assertEquals(null, old.getSchema().getField("heads"));
                assertEquals(e.getLabel(), old.get("label").toString());
                assertEquals(e.getScore(), (float) old.get("score"));
                assertEquals(e.getProbabilities().size(), ((List<?>) old.get("probabilities")).size());
            }
        }
        RoundTripIT.assertExactlyOnce("labels", textOf.keySet(), seen);
        assertTrue(writers.size() == 1, "one writer schema: " + writers.keySet());
    }

    private static float[] floats(List<LabelProbability> probabilities) {
        float[] out = new float[probabilities.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = probabilities.get(i).getProbability();
        }
        return out;
    }
}
