package dev.clstream.export.data;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TextViewTest {
    private static final SpamAssassinCorpus.Message MESSAGE = new SpamAssassinCorpus.Message("m1", "spam", "spam",
            "Cheap meds", "x".repeat(150) + " " + "y".repeat(150));

    @Test
    void eachViewKeepsTheMessagesIdAndLabel() {
        for (TextView view : TextView.values()) {
            LabeledText t = view.of(MESSAGE);
            assertEquals("m1", t.id());
            assertEquals("spam", t.label());
        }
    }

    @Test
    void fullIsTheEventTextShortCutsTheBodyAndSubjectIsTheSubjectAlone() {
        assertEquals(MESSAGE.eventText(), TextView.FULL.of(MESSAGE).text());
        assertEquals("Cheap meds\n\n" + "x".repeat(150) + " " + "y".repeat(49), TextView.SHORT.of(MESSAGE).text());
        assertEquals("Cheap meds", TextView.SUBJECT.of(MESSAGE).text());
    }

    @Test
    void viewsAreParsedByIdAndAnUnknownOneNamesTheAllowedOnes() {
        assertEquals(TextView.SHORT, TextView.parse("short"));
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> TextView.parse("body")), "'body'",
                "full", "short", "subject");
    }
}
