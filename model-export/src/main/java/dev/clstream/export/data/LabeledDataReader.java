package dev.clstream.export.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Reads labeled examples for head training from JSON lines ({@code {"text": ..., "label": ...}})
 * or CSV with a header row (RFC 4180 quoting), optionally gzip-compressed. Field names are
 * configurable; a line without text or label fails with its line number.
 */
public final class LabeledDataReader {
    private final String textField;
    private final String labelField;
    private final String idField;

    public LabeledDataReader(String textField, String labelField, String idField) {
        this.textField = textField;
        this.labelField = labelField;
        this.idField = idField;
    }

    public static LabeledDataReader defaults() {
        return new LabeledDataReader("text", "label", "id");
    }

    public List<LabeledText> read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean gz = name.endsWith(".gz");
        String base = gz ? name.substring(0, name.length() - 3) : name;
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = gz ? new GZIPInputStream(raw) : raw;
             Reader reader = skipByteOrderMark(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))) {
            if (base.endsWith(".csv")) {
                return readCsv(reader, file.toString());
            }
            if (base.endsWith(".jsonl") || base.endsWith(".ndjson") || base.endsWith(".json")) {
                return readJsonLines((BufferedReader) reader, file.toString());
            }
            throw new IOException(file + ": unknown format; use .jsonl, .ndjson or .csv (optionally .gz)");
        }
    }

    /** Spreadsheet exports often start UTF-8 files with U+FEFF, which is not part of the first field. */
    private static Reader skipByteOrderMark(BufferedReader reader) throws IOException {
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset();
        }
        return reader;
    }

    List<LabeledText> readJsonLines(BufferedReader reader, String where) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<LabeledText> out = new ArrayList<>();
        int lineNo = 0;
        for (String line; (line = reader.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = json.readTree(line);
            } catch (IOException e) {
                throw new IOException(where + ":" + lineNo + ": not valid JSON: " + e.getMessage(), e);
            }
            out.add(example(n.path(idField).asText(Integer.toString(lineNo)), text(n, textField),
                    text(n, labelField), where, lineNo));
        }
        return out;
    }

    List<LabeledText> readCsv(Reader reader, String where) throws IOException {
        List<List<String>> rows = Csv.parse(reader);
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> header = rows.get(0);
        int textCol = column(header, textField, where);
        int labelCol = column(header, labelField, where);
        int idCol = header.indexOf(idField);
        List<LabeledText> out = new ArrayList<>();
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() == 1 && row.get(0).isEmpty()) {
                continue;
            }
            String id = idCol >= 0 && idCol < row.size() ? row.get(idCol) : Integer.toString(r + 1);
            out.add(example(id, cell(row, textCol), cell(row, labelCol), where, r + 1));
        }
        return out;
    }

    private static LabeledText example(String id, String text, String label, String where, int line)
            throws IOException {
        if (text == null || label == null || label.isBlank()) {
            throw new IOException(where + ":" + line + ": every example needs a text and a non-empty label");
        }
        return new LabeledText(id, text, label);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String cell(List<String> row, int col) {
        return col < row.size() ? row.get(col) : null;
    }

    private static int column(List<String> header, String field, String where) throws IOException {
        int i = header.indexOf(field);
        if (i < 0) {
            throw new IOException(where + ": CSV header has no column '" + field + "' (columns: " + header + ")");
        }
        return i;
    }
}
