package dev.clstream.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.bundle.BundleManifest;
import dev.clstream.config.ClstreamConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** The body of {@code /info}: which model is served, with what labels, under which settings (secrets redacted). */
public final class InfoDocument {
    private InfoDocument() {}

    public static ObjectNode of(BundleManifest model, ClstreamConfig config) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode m = root.putObject("model");
        m.put("name", model.name());
        m.put("version", model.version());
        m.put("description", model.description());
        m.put("max_length", model.maxLength());
        // The checksums bundle.json records (and loading verified): they say which weights are running.
        ObjectNode sums = m.putObject("sha256");
        new TreeMap<>(model.files()).forEach(sums::put);
        m.putArray("labels").addAll(model.labels().stream().map(JsonNodeFactory.instance::textNode).toList());
        var heads = m.putArray("heads"); // as the labeled events list them: none for one unnamed head
        model.namedHeads().forEach(h -> heads.addObject().put("name", h.name()).putArray("labels")
                .addAll(h.labels().stream().map(JsonNodeFactory.instance::textNode).toList()));
        ObjectNode c = root.putObject("config");
        config.redacted().forEach(c::put);
        return root;
    }

    /**
     * {@link #of(BundleManifest, ClstreamConfig)} for a model served from a repository: also the repository and the
     * versions refused since start, newest first, each with its reason.
     */
    public static ObjectNode of(BundleManifest model, ClstreamConfig config, Path repository,
                                Map<String, String> refused) {
        ObjectNode root = of(model, config);
        ObjectNode m = (ObjectNode) root.get("model");
        m.put("repository", repository.toString());
        ObjectNode r = m.putObject("refused_versions");
        refused.forEach(r::put);
        return root;
    }
}
