package dev.clstream.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.event.DeadLetterOutput;
import dev.clstream.event.EmbeddingOutput;
import dev.clstream.event.HeadLabel;
import dev.clstream.event.LabelOutput;
import dev.clstream.event.OutputEncoder;
import org.apache.kafka.common.errors.SerializationException;

/**
 * {@code output.format=json}: the same fields as the Avro schemas, snake_case, one JSON object per
 * record; byte fields of dead letters are base64.
 */
public final class JsonOutputEncoder implements OutputEncoder {
    private final ObjectMapper json = new ObjectMapper();

    @Override
    public byte[] labeled(String topic, LabelOutput out) {
        ObjectNode n = json.createObjectNode();
        n.put("id", out.id());
        HeadLabel primary = out.primary();
        n.put("label", primary.label());
        n.put("score", primary.score());
        probabilities(primary, n);
        n.put("model_name", out.modelName());
        n.put("model_version", out.modelVersion());
        n.put("tokens", out.tokens());
        n.put("truncated", out.truncated());
        n.put("event_time", out.eventTime());
        n.put("processed_time", out.processedTime());
        ArrayNode heads = n.putArray("heads");
        for (HeadLabel h : out.heads()) {
            probabilities(h, heads.addObject().put("name", h.head()).put("label", h.label()).put("score", h.score()));
        }
        return bytes(n);
    }

    private static void probabilities(HeadLabel head, ObjectNode into) {
        ArrayNode probs = into.putArray("probabilities");
        for (int i = 0; i < head.labels().size(); i++) {
            probs.addObject().put("label", head.labels().get(i)).put("probability", head.probabilities()[i]);
        }
    }

    @Override
    public byte[] embedding(String topic, EmbeddingOutput out) {
        ObjectNode n = json.createObjectNode();
        n.put("id", out.id());
        n.put("model_name", out.modelName());
        n.put("model_version", out.modelVersion());
        n.put("dimension", out.vector().length);
        ArrayNode v = n.putArray("vector");
        for (float f : out.vector()) {
            v.add(f);
        }
        n.put("event_time", out.eventTime());
        n.put("windows", out.windows());
        n.put("pooling", out.pooling());
        return bytes(n);
    }

    @Override
    public byte[] deadLetter(String topic, DeadLetterOutput out) {
        ObjectNode n = json.createObjectNode();
        n.put("reason", out.reason().code());
        n.put("message", out.message());
        n.put("stage", out.stage().code());
        n.put("source_topic", out.sourceTopic());
        n.put("source_partition", out.sourcePartition());
        n.put("source_offset", out.sourceOffset());
        n.put("original_key", out.originalKey());
        n.put("original_value", out.originalValue());
        n.put("failed_time", out.failedTime());
        n.put("model_name", out.modelName());
        n.put("model_version", out.modelVersion());
        return bytes(n);
    }

    private byte[] bytes(ObjectNode n) {
        try {
            return json.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot write JSON output: " + e.getMessage(), e);
        }
    }
}
