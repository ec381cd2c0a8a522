package dev.clstream.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.util.List;

/**
 * langchain4j's in-process bge-small-en-v1.5 (fp32, or its quantized int8 model) as a user would
 * call it: {@code embedAll} over the texts, with its own tokenizer, its own executor (one thread per
 * core) and one text per session.run. Its ONNX session lives in a static field of the library and
 * cannot be closed.
 */
public final class Langchain4jContender {
    private final EmbeddingModel model;
    private final List<TextSegment> segments;

    private Langchain4jContender(EmbeddingModel model, List<TextSegment> segments) {
        this.model = model;
        this.segments = segments;
    }

    public static Langchain4jContender open(BenchFixture.Precision precision, List<String> texts) {
        EmbeddingModel model = precision == BenchFixture.Precision.INT8 ? new BgeSmallEnV15QuantizedEmbeddingModel()
                : new BgeSmallEnV15EmbeddingModel();
        return new Langchain4jContender(model, texts.stream().map(TextSegment::from).toList());
    }

    /** One operation: embedAll over every text. */
    public Response<List<Embedding>> run() {
        return model.embedAll(segments);
    }
}
