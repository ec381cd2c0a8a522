package dev.clstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clstream.bundle.BuiltInBundles;
import dev.clstream.bundle.ModelBundle;
import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.DecodeException;
import dev.clstream.event.InputEvent;
import dev.clstream.format.JsonTextEvents;
import dev.clstream.bundle.ClassifierHead;
import dev.clstream.inference.Classification;
import dev.clstream.inference.InferenceEngine;
import dev.clstream.inference.Outcome;
import dev.clstream.inference.ParityCheck;
import dev.clstream.inference.Prediction;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Classifies texts from the arguments, or from standard input one per line (plain text or JSON
 * lines with a "text" field and an optional "id"), printing one JSON object per text in input
 * order. Input is read and answered in chunks, so it streams. A text that cannot be classified gets
 * an object with "error" and "message" instead, and the exit status is 1.
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Classify texts (arguments, or stdin: one per line or JSON lines) and print one JSON object per text.")
final class ClassifyCommand implements Callable<Integer> {

    @Mixin
    InferenceOptions inference;

    @Option(names = "--embedding", description = "Add the [CLS] embedding h_0 (not normalised) as \"embedding\"")
    boolean embedding;

    @Option(names = "--verify", description = "First run the bundle's parity.json and stop if it fails")
    boolean verify;

    @Option(names = "--input", defaultValue = "auto",
            description = "How to read stdin lines: text, jsonl, or auto (a line starting with '{' is JSON). "
                    + "Default: ${DEFAULT-VALUE}")
    String input;

    @Option(names = "--chunk", defaultValue = "64", description = "Lines classified together from stdin. Default: ${DEFAULT-VALUE}")
    int chunk;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts to classify; none means read stdin")
    List<String> texts = List.of();

    @Spec
    CommandSpec spec;

    private final ObjectMapper json = new ObjectMapper();

    /** One text to classify, or a line that could not even be read as one. */
    private record Item(String id, String text, DeadLetterReason error, String message) {}

    @Override
    public Integer call() throws Exception {
        if (!List.of("auto", "text", "jsonl").contains(input)) {
            throw new IllegalArgumentException("--input must be one of: auto, text, jsonl; got '" + input + "'");
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("--chunk must be >= 1, got " + chunk);
        }
        ModelBundle bundle = BuiltInBundles.load(inference.bundle);
        PrintWriter out = spec.commandLine().getOut();
        boolean allOk = true;
        try (InferenceEngine engine = InferenceEngine.open(bundle, inference.toEncoderOptions())) {
            if (verify) {
                ParityCheck.requirePassing(engine).ifPresentOrElse(r -> spec.commandLine().getErr().println(r.summary()),
                        () -> spec.commandLine().getErr().println("bundle has no parity.json; nothing to verify"));
            }
            if (!texts.isEmpty()) {
                allOk = answer(engine, texts.stream().map(t -> new Item(null, t, null, null)).toList(), out);
            } else {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                List<Item> pending = new ArrayList<>(chunk);
                for (String line; (line = in.readLine()) != null; ) {
                    pending.add(parse(line));
                    if (pending.size() == chunk) {
                        allOk &= answer(engine, pending, out);
                        pending.clear();
                    }
                }
                allOk &= answer(engine, pending, out);
            }
        }
        return allOk ? 0 : 1;
    }

    private Item parse(String line) {
        boolean asJson = input.equals("jsonl") || (input.equals("auto") && line.stripLeading().startsWith("{"));
        if (!asJson) {
            return new Item(null, line, null, null);
        }
        InputEvent event;
        try {
            event = JsonTextEvents.parse(line);
        } catch (DecodeException e) {
            return new Item(null, null, e.reason(), "line is not a text event: " + e.getMessage());
        }
        if (event.text() == null) {
            return new Item(event.id(), null, DeadLetterReason.MISSING_TEXT, "JSON line has no string field \"text\"");
        }
        return new Item(event.id(), event.text(), null, null);
    }

    private boolean answer(InferenceEngine engine, List<Item> items, PrintWriter out) throws Exception {
        List<String> valid = items.stream().filter(i -> i.error() == null).map(Item::text).toList();
        List<Outcome> outcomes = engine.classify(valid);
        boolean allOk = true;
        int next = 0;
        for (Item item : items) {
            ObjectNode o = json.createObjectNode();
            if (item.id() != null) {
                o.put("id", item.id());
            }
            if (item.error() != null) {
                o.put("error", item.error().code());
                o.put("message", item.message());
                allOk = false;
            } else {
                Outcome outcome = outcomes.get(next++);
                if (outcome instanceof Outcome.Success s) {
                    write(o, s.prediction(), engine);
                } else if (outcome instanceof Outcome.Failure f) {
                    o.put("error", f.reason().code());
                    o.put("message", f.message());
                    allOk = false;
                }
            }
            out.println(json.writeValueAsString(o));
        }
        out.flush();
        return allOk;
    }

    private void write(ObjectNode o, Prediction p, InferenceEngine engine) {
        if (p.classification() != null) {
            put(p.classification(), o);
        }
        List<ClassifierHead> named = engine.manifest().namedHeads();
        if (!named.isEmpty()) {
            // Every head by name, the primary too (the labels topic lists the same heads).
            ObjectNode heads = o.putObject("heads");
            for (int h = 0; h < named.size(); h++) {
                put(p.heads().get(h), heads.putObject(named.get(h).name()));
            }
        }
        o.put("tokens", p.tokens());
        o.put("truncated", p.truncated());
        if (engine.manifest().text().chunked()) {
            o.put("windows", p.windows());
        }
        o.put("model", engine.manifest().id());
        if (embedding) {
            var arr = o.putArray("embedding");
            for (float v : p.embedding()) {
                arr.add(v);
            }
        }
    }

    private static void put(Classification c, ObjectNode into) {
        into.put("label", c.label());
        into.put("score", c.score());
        c.asMap().forEach(into.putObject("probabilities")::put);
    }
}
