package dev.clstream.export.data;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SpamAssassinCorpusTest {
    /** Relative to the module directory, where surefire runs. */
    static final Path CORPUS = Path.of("data/spamassassin.jsonl.gz");

    static List<SpamAssassinCorpus.Message> messages;

    @BeforeAll
    static void read() {
        messages = SpamAssassinCorpus.read(CORPUS);
    }

    @Test
    void corpusHasTheDocumentedSize() {
        assertEquals(5908, messages.size());
        Map<String, Long> byLabel = messages.stream()
                .collect(Collectors.groupingBy(SpamAssassinCorpus.Message::label, TreeMap::new, Collectors.counting()));
        assertEquals(Map.of("ham", 4109L, "spam", 1799L), byLabel);
    }

    @Test
    void idsAreUniqueAndGroupsMatchLabels() {
        Set<String> ids = new HashSet<>();
        for (SpamAssassinCorpus.Message m : messages) {
            assertTrue(!m.id().isEmpty() && ids.add(m.id()), "duplicate or empty id " + m.id());
            assertTrue(m.id().startsWith(m.group() + "/"), m.id() + " in group " + m.group());
            assertEquals(m.group().startsWith("spam") ? "spam" : "ham", m.label(), m.id());
        }
        assertEquals(Set.of("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"),
                messages.stream().map(SpamAssassinCorpus.Message::group).collect(Collectors.toSet()));
    }

    @Test
    void eventTextIsSubjectBlankLineBody() {
        SpamAssassinCorpus.Message first = messages.get(0);
        assertEquals("easy-ham-1/00001", first.id());
        assertEquals("Re: New Sequences Window", first.subject());
        assertTrue(first.body().startsWith("Date: Wed, 21 Aug 2002 10:54:46 -0500\n"), first.body());
        assertEquals(first.subject() + "\n\n" + first.body(), first.eventText());
        LabeledText t = first.asLabeledText();
        assertEquals(new LabeledText(first.id(), first.eventText(), "ham"), t);
        int both = 0;
        for (SpamAssassinCorpus.Message m : messages) {
            if (!m.subject().isEmpty() && !m.body().isEmpty()) {
                both++;
                assertEquals(m.subject() + "\n\n" + m.body(), m.eventText());
            }
        }
        assertTrue(both > 5000, both + " messages have subject and body");
    }

    @Test
    void shortTextCutsTheBodyAt200Characters() {
        SpamAssassinCorpus.Message first = messages.get(0);
        assertTrue(first.body().length() > 200);
        String s = first.shortText(200);
        assertEquals(first.subject() + "\n\n" + first.body().substring(0, 200), s);
        long longOnes = 0;
        for (SpamAssassinCorpus.Message m : messages) {
            String st = m.shortText(200);
            assertTrue(m.eventText().startsWith(st), m.id());
            if (m.body().length() > 200) {
                longOnes++;
                int cut = Character.isLowSurrogate(m.body().charAt(200)) ? 199 : 200;
                String head = m.body().substring(0, cut);
                assertEquals(m.subject().isEmpty() ? head : m.subject() + "\n\n" + head, st, m.id());
            } else {
                assertEquals(m.eventText(), st, m.id());
            }
        }
        assertTrue(longOnes > 4000, longOnes + " bodies longer than 200 characters");
    }

    @Test
    void eventAndShortTextWithMissingParts() {
        var noSubject = new SpamAssassinCorpus.Message("g/1", "g", "ham", "", "body text");
        assertEquals("body text", noSubject.eventText());
        assertEquals("body", noSubject.shortText(4));
        var noBody = new SpamAssassinCorpus.Message("g/2", "g", "spam", "Subject", "");
        assertEquals("Subject", noBody.eventText());
        assertEquals("Subject", noBody.shortText(10));
        var neither = new SpamAssassinCorpus.Message("g/3", "g", "spam", "", "");
        assertEquals("", neither.eventText());
        assertEquals("", neither.shortText(10));
        var exact = new SpamAssassinCorpus.Message("g/4", "g", "spam", "S", "12345");
        assertEquals("S\n\n12345", exact.shortText(5));
        assertEquals("S\n\n1234", exact.shortText(4));
    }

    @Test
    void shortTextDoesNotSplitASurrogatePair() {
        String body = "ab\uD83D\uDE00cd"; // a b 😀 c d
        var m = new SpamAssassinCorpus.Message("g/5", "g", "ham", "S", body);
        assertEquals("S\n\nab", m.shortText(3), "the cut falls inside the emoji: keep it out whole");
        assertEquals("S\n\nab\uD83D\uDE00", m.shortText(4));
    }

    @Test
    void badLabelFailsWithItsLineNumber() {
        String jsonl = "{\"id\":\"x/1\",\"group\":\"x\",\"label\":\"ham\",\"subject\":\"s\",\"body\":\"b\"}\n"
                + "{\"id\":\"x/2\",\"group\":\"x\",\"label\":\"eggs\",\"subject\":\"s\",\"body\":\"b\"}\n";
        IOException e = assertThrows(IOException.class, () -> SpamAssassinCorpus.read(
                new ByteArrayInputStream(jsonl.getBytes(StandardCharsets.UTF_8)), "mem"));
        assertMessageNames(e, "mem:2:", "'eggs'");
    }

    @Test
    void missingSubjectOrBodyReadAsEmpty() throws IOException {
        String jsonl = "{\"id\":\"x/1\",\"group\":\"x\",\"label\":\"spam\"}\n\n";
        List<SpamAssassinCorpus.Message> read = SpamAssassinCorpus.read(
                new ByteArrayInputStream(jsonl.getBytes(StandardCharsets.UTF_8)), "mem");
        assertEquals(List.of(new SpamAssassinCorpus.Message("x/1", "x", "spam", "", "")), read);
    }

    @Test
    void missingFileIsAnUncheckedError() {
        assertThrows(java.io.UncheckedIOException.class, () -> SpamAssassinCorpus.read(Path.of("data/no-such.jsonl.gz")));
    }
}
