package dev.clstream.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.util.List;

/**
 * langchain4j's in-process bge-small-en-v1.5 as a user would call it: {@code embedAll} over the
 * texts, with its own tokenizer, its own executor (one thread per core) and one text per
 * session.run. Its ONNX session lives in a static field of the library and cannot be closed.
 */
public final class Langchain4jContender {
    private final BgeSmallEnV15EmbeddingModel model;
    private final List<TextSegment> segments;

    private Langchain4jContender(BgeSmallEnV15EmbeddingModel model, List<TextSegment> segments) {
        this.model = model;
        this.segments = segments;
    }

    public static Langchain4jContender open(List<String> texts) {
        return new Langchain4jContender(new BgeSmallEnV15EmbeddingModel(),
                texts.stream().map(TextSegment::from).toList());
    }

    /** One operation: embedAll over every text. */
    public Response<List<Embedding>> run() {
        return model.embedAll(segments);
    }
}
