package dev.clstream.export.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The SpamAssassin public corpus as derived into model-export/data/spamassassin.jsonl.gz (see
 * NOTICE.md there): one message per line with its subject and cleaned body.
 */
public final class SpamAssassinCorpus {

    /** One message: the corpus group, label, decoded subject and cleaned body. */
    public record Message(String id, String group, String label, String subject, String body) {
        /** The event text a user would send: subject and body, as the default bundle is trained on. */
        public String eventText() {
            if (subject.isEmpty()) {
                return body;
            }
            return body.isEmpty() ? subject : subject + "\n\n" + body;
        }

        /** A short event: subject and the first {@code chars} characters of the body. */
        public String shortText(int chars) {
            String head = body.length() <= chars ? body : body.substring(0, safeCut(body, chars));
            return head.isEmpty() ? subject : subject.isEmpty() ? head : subject + "\n\n" + head;
        }

        private static int safeCut(String s, int at) {
            return Character.isLowSurrogate(s.charAt(at)) ? at - 1 : at;
        }

        public LabeledText asLabeledText() {
            return new LabeledText(id, eventText(), label);
        }
    }

    private SpamAssassinCorpus() {}

    public static List<Message> read(Path file) {
        try (InputStream raw = Files.newInputStream(file)) {
            return read(file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static List<Message> read(InputStream in, String where) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Message> out = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        int lineNo = 0;
        for (String line; (line = reader.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(line);
            String label = n.path("label").asText("");
            if (!label.equals("spam") && !label.equals("ham")) {
                throw new IOException(where + ":" + lineNo + ": label must be spam or ham, got '" + label + "'");
            }
            out.add(new Message(n.path("id").asText(), n.path("group").asText(), label, n.path("subject").asText(""),
                    n.path("body").asText("")));
        }
        return out;
    }
}
