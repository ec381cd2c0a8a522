package dev.clstream.export.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {

    static List<List<String>> parse(String s) throws IOException {
        return Csv.parse(new StringReader(s));
    }

    @Test
    void plainRows() throws IOException {
        assertEquals(List.of(List.of("a", "b"), List.of("1", "2")), parse("a,b\n1,2\n"));
        assertEquals(List.of(List.of("a", "b"), List.of("1", "2")), parse("a,b\n1,2"), "no final newline");
    }

    @Test
    void emptyInputHasNoRows() throws IOException {
        assertEquals(List.of(), parse(""));
    }

    @Test
    void emptyFieldsAreKept() throws IOException {
        assertEquals(List.of(List.of("", "", "")), parse(",,\n"));
        assertEquals(List.of(List.of("a", "", "c")), parse("a,,c"));
        assertEquals(List.of(List.of("", "x")), parse("\"\",x"));
        assertEquals(List.of(List.of("x", "")), parse("x,\"\""));
    }

    @Test
    void quotedFieldsHoldCommasQuotesAndLineBreaks() throws IOException {
        assertEquals(List.of(List.of("x,y", "z")), parse("\"x,y\",z\n"));
        assertEquals(List.of(List.of("he said \"hi\"", "1")), parse("\"he said \"\"hi\"\"\",1\n"));
        assertEquals(List.of(List.of("\"", "q")), parse("\"\"\"\",q"));
        assertEquals(List.of(List.of("line1\nline2", "x"), List.of("next", "row")),
                parse("\"line1\nline2\",x\nnext,row\n"));
        assertEquals(List.of(List.of("a\r\nb", "c")), parse("\"a\r\nb\",c\r\n"), "CRLF inside quotes is data");
    }

    @Test
    void crlfAndCrEndRows() throws IOException {
        assertEquals(List.of(List.of("a", "b"), List.of("1", "2")), parse("a,b\r\n1,2\r\n"));
        assertEquals(List.of(List.of("a"), List.of("b")), parse("a\rb"));
        assertEquals(List.of(List.of("a"), List.of("b"), List.of("c")), parse("a\r\nb\nc\r"));
    }

    @Test
    void quotedFieldAtEndOfInput() throws IOException {
        assertEquals(List.of(List.of("a", "b,c")), parse("a,\"b,c\""));
    }

    @Test
    void quoteInsideAnUnquotedFieldIsLiteral() throws IOException {
        assertEquals(List.of(List.of("5\" screen", "x")), parse("5\" screen,x"));
    }

    @Test
    void unterminatedQuoteIsAnError() {
        IOException e = assertThrows(IOException.class, () -> parse("a,\"b\nc\n"));
        assertEquals("CSV ends inside a quoted field", e.getMessage());
    }

    @Test
    void readerWithoutMarkSupportIsBuffered() throws IOException {
        byte[] bytes = "\"a\"\"b\",c\r\nd,e".getBytes(StandardCharsets.UTF_8);
        var reader = new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8);
        assertEquals(false, reader.markSupported());
        assertEquals(List.of(List.of("a\"b", "c"), List.of("d", "e")), Csv.parse(reader));
    }

    @Test
    void nonAsciiSurvives() throws IOException {
        assertEquals(List.of(List.of("café", "日本", "😀")), parse("café,\"日本\",😀\n"));
    }
}
