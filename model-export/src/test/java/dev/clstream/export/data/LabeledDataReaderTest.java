package dev.clstream.export.data;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledDataReaderTest {
    @TempDir
    Path dir;

    Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".gz")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            Files.writeString(p, content, StandardCharsets.UTF_8);
        }
        return p;
    }

    static final String CSV = "id,text,label\r\n"
            + "m1,\"win, win, win\",spam\r\n"
            + "m2,\"she said \"\"see you\"\"\",ham\r\n"
            + "m3,\"two\nlines\",ham\r\n"
            + "m4,plain text,spam\r\n";

    static final List<LabeledText> EXPECTED = List.of(
            new LabeledText("m1", "win, win, win", "spam"),
            new LabeledText("m2", "she said \"see you\"", "ham"),
            new LabeledText("m3", "two\nlines", "ham"),
            new LabeledText("m4", "plain text", "spam"));

    @Test
    void csvWithQuotingAndCrlf() throws IOException {
        assertEquals(EXPECTED, LabeledDataReader.defaults().read(write("d.csv", CSV)));
    }

    @Test
    void csvGzipped() throws IOException {
        assertEquals(EXPECTED, LabeledDataReader.defaults().read(write("d.csv.gz", CSV)));
    }

    @Test
    void csvColumnsInAnyOrderWithExtrasAndBlankLines() throws IOException {
        Path p = write("d.csv", "source,label,text\nweb,ham,hello\n\nmail,spam,\"buy, now\"\n");
        assertEquals(List.of(new LabeledText("2", "hello", "ham"), new LabeledText("4", "buy, now", "spam")),
                LabeledDataReader.defaults().read(p), "without an id column the id is the row number");
    }

    @Test
    void csvMissingColumnIsNamed() throws IOException {
        Path p = write("d.csv", "id,text,category\n1,hello,ham\n");
        IOException e = assertThrows(IOException.class, () -> LabeledDataReader.defaults().read(p));
        assertMessageNames(e, "no column 'label'");
        assertMessageNames(e, "d.csv");
        assertMessageNames(e, "category");
    }

    @Test
    void csvCustomFieldNames() throws IOException {
        Path p = write("d.csv", "uid,body,category\nu1,hello,ham\n");
        assertEquals(List.of(new LabeledText("u1", "hello", "ham")),
                new LabeledDataReader("body", "category", "uid").read(p));
    }

    @Test
    void csvRowWithoutLabelFailsWithItsRow() throws IOException {
        Path p = write("d.csv", "text,label\nhello,ham\nlonely\n");
        IOException e = assertThrows(IOException.class, () -> LabeledDataReader.defaults().read(p));
        assertMessageNames(e, "d.csv:3:");
        Path blank = write("e.csv", "text,label\nhello,ham\nbye,  \n");
        e = assertThrows(IOException.class, () -> LabeledDataReader.defaults().read(blank));
        assertMessageNames(e, "e.csv:3:");
    }

    @Test
    void emptyCsvHasNoExamples() throws IOException {
        assertEquals(List.of(), LabeledDataReader.defaults().read(write("d.csv", "")));
        assertEquals(List.of(), LabeledDataReader.defaults().read(write("h.csv", "text,label\n")));
    }

    static final String JSONL = "{\"id\":\"a\",\"text\":\"win money, now\",\"label\":\"spam\"}\n"
            + "\n"
            + "{\"text\":\"line\\nbreak \\\"quoted\\\"\",\"label\":\"ham\",\"extra\":1}\n"
            + "{\"id\":7,\"text\":\"café 😀\",\"label\":\"ham\"}\n";

    static final List<LabeledText> EXPECTED_JSONL = List.of(
            new LabeledText("a", "win money, now", "spam"),
            new LabeledText("3", "line\nbreak \"quoted\"", "ham"),
            new LabeledText("7", "café 😀", "ham"));

    @Test
    void jsonLines() throws IOException {
        assertEquals(EXPECTED_JSONL, LabeledDataReader.defaults().read(write("d.jsonl", JSONL)),
                "blank lines skipped, a missing id becomes the line number, numeric ids read as text");
    }

    @Test
    void jsonLinesOtherExtensionsAndCase() throws IOException {
        assertEquals(EXPECTED_JSONL, LabeledDataReader.defaults().read(write("d.ndjson", JSONL)));
        assertEquals(EXPECTED_JSONL, LabeledDataReader.defaults().read(write("d.json", JSONL)));
        assertEquals(EXPECTED_JSONL, LabeledDataReader.defaults().read(write("D.JSONL", JSONL)));
        assertEquals(EXPECTED_JSONL, LabeledDataReader.defaults().read(write("d.jsonl.gz", JSONL)));
        assertEquals(EXPECTED_JSONL, LabeledDataReader.defaults().read(write("d.jsonl.GZ", JSONL)));
    }

    @Test
    void jsonLinesWithCrlf() throws IOException {
        assertEquals(EXPECTED_JSONL, LabeledDataReader.defaults().read(write("d.jsonl", JSONL.replace("\n", "\r\n"))));
    }

    @Test
    void jsonLinesCustomFieldNames() throws IOException {
        Path p = write("d.jsonl", "{\"uid\":\"x1\",\"body\":\"hello\",\"category\":\"ham\",\"text\":\"ignored\"}\n");
        assertEquals(List.of(new LabeledText("x1", "hello", "ham")),
                new LabeledDataReader("body", "category", "uid").read(p));
    }

    @Test
    void badJsonLineFailsWithItsLineNumber() throws IOException {
        Path p = write("d.jsonl", "{\"text\":\"ok\",\"label\":\"ham\"}\n\n{\"text\": \"broken\n");
        IOException e = assertThrows(IOException.class, () -> LabeledDataReader.defaults().read(p));
        assertMessageNames(e, "d.jsonl:3: not valid JSON");
    }

    @Test
    void jsonLineWithoutTextOrLabelFailsWithItsLineNumber() throws IOException {
        Path noLabel = write("a.jsonl", "{\"text\":\"ok\",\"label\":\"ham\"}\n{\"text\":\"no label\"}\n");
        IOException e = assertThrows(IOException.class, () -> LabeledDataReader.defaults().read(noLabel));
        assertMessageNames(e, "a.jsonl:2:");
        Path nullText = write("b.jsonl", "{\"text\":null,\"label\":\"ham\"}\n");
        e = assertThrows(IOException.class, () -> LabeledDataReader.defaults().read(nullText));
        assertMessageNames(e, "b.jsonl:1:");
        Path wrongField = write("c.jsonl", "{\"text\":\"ok\",\"label\":\"ham\"}\n");
        e = assertThrows(IOException.class, () -> new LabeledDataReader("body", "label", "id").read(wrongField));
        assertMessageNames(e, "c.jsonl:1:");
    }

    @Test
    void emptyTextIsKeptForTheEmbedderToSkip() throws IOException {
        Path p = write("d.jsonl", "{\"text\":\"\",\"label\":\"ham\"}\n");
        assertEquals(List.of(new LabeledText("1", "", "ham")), LabeledDataReader.defaults().read(p));
    }

    @Test
    void unknownExtensionIsRefused() throws IOException {
        Path p = write("d.txt", JSONL);
        IOException e = assertThrows(IOException.class, () -> LabeledDataReader.defaults().read(p));
        assertMessageNames(e, "unknown format");
    }

    @Test
    void corruptGzipIsAnError() throws IOException {
        Path gz = Files.writeString(dir.resolve("plain.jsonl.gz"), JSONL); // not actually gzip
        assertThrows(IOException.class, () -> LabeledDataReader.defaults().read(gz));
    }

    @Test
    void jsonLinesWithByteOrderMark() throws IOException {
        Path p = write("bom.jsonl", "\uFEFF{\"text\":\"hello\",\"label\":\"ham\"}\n");
        assertEquals(List.of(new LabeledText("1", "hello", "ham")), LabeledDataReader.defaults().read(p));
    }

    /** Spreadsheet exports often start with a UTF-8 byte order mark. */
    @Test
    void csvWithByteOrderMark() throws IOException {
        Path p = write("bom.csv", "\uFEFFtext,label\nhello,ham\n");
        assertEquals(List.of(new LabeledText("2", "hello", "ham")), LabeledDataReader.defaults().read(p));
    }
}
