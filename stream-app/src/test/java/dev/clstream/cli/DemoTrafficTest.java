package dev.clstream.cli;

import static dev.clstream.testing.Messages.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.cli.DemoFeeder.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The demo's traffic: the order it feeds the messages in, and how fast ({@code --rate}). */
class DemoTrafficTest {
    private static List<Message> corpus(int ham, int spam) {
        // In file order, as the held-out file comes: every ham first, then every spam.
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < ham; i++) {
            out.add(new Message("ham-" + i, "text", "ham"));
        }
        for (int i = 0; i < spam; i++) {
            out.add(new Message("spam-" + i, "text", "spam"));
        }
        return out;
    }

    @Test
    void everyStretchFromTheStartHoldsEachLabelInItsShare() {
        List<Message> messages = corpus(822, 360);
        List<Message> fed = DemoFeeder.interleaved(messages, 1);
        assertEquals(new HashSet<>(messages), new HashSet<>(fed), "every message once");
        assertEquals(messages.size(), fed.size());
        double share = 360.0 / 1182;
        int spam = 0;
        for (int n = 1; n <= fed.size(); n++) {
            spam += fed.get(n - 1).label().equals("spam") ? 1 : 0;
            assertTrue(Math.abs(spam - share * n) <= 1, "first " + n + " hold " + spam + " spam");
        }
        assertTrue(fed.subList(0, 10).stream().anyMatch(m -> m.label().equals("spam")), "spam on the first screen");
    }

    @Test
    void theOrderIsSeeded() {
        List<Message> messages = corpus(50, 20);
        assertEquals(DemoFeeder.interleaved(messages, 7), DemoFeeder.interleaved(messages, 7));
        assertNotEquals(DemoFeeder.interleaved(messages, 7), DemoFeeder.interleaved(messages, 8));
    }

    @Test
    void messagesWithoutALabelAreFedToo() {
        List<Message> messages = List.of(new Message("a", "x", null), new Message("b", "y", null));
        assertEquals(2, DemoFeeder.interleaved(messages, 1).size());
    }

    @Test
    void autoFeedsAtSeventyPercentOfWhatWasSustainedOnceMeasured() {
        DemoPace pace = DemoPace.parse("auto");
        assertEquals(0, pace.initialRate(), "auto starts a window ahead of the answers");
        assertEquals(OptionalDouble.empty(), pace.observe(0, 0));
        assertEquals(OptionalDouble.empty(), pace.observe(10, 1_000_000_000L), "the first answer starts the warm-up");
        assertEquals(OptionalDouble.empty(), pace.observe(30, 2_000_000_000L), "warming up");
        assertEquals(OptionalDouble.empty(), pace.observe(50, 3_000_000_000L), "measuring from here");
        assertEquals(OptionalDouble.empty(), pace.observe(140, 7_000_000_000L), "still measuring");
        OptionalDouble rate = pace.observe(150, 8_000_000_000L);
        assertEquals(0.7 * 100 / 5.0, rate.orElseThrow(), 1e-9);
        assertEquals(OptionalDouble.empty(), pace.observe(200, 9_000_000_000L), "measured once");
    }

    @Test
    void autoWaitsForEnoughAnswersOnASlowMachine() {
        DemoPace pace = DemoPace.parse("auto");
        pace.observe(1, 0);
        pace.observe(2, 2_000_000_000L);
        assertEquals(OptionalDouble.empty(), pace.observe(11, 30_000_000_000L));
        assertEquals(0.7 * 20 / 40.0, pace.observe(22, 42_000_000_000L).orElseThrow(), 1e-9);
    }

    @Test
    void fixedAndMaxRatesAreNotMeasured() {
        assertEquals(12.5, DemoPace.parse("12.5").initialRate());
        assertEquals(Double.POSITIVE_INFINITY, DemoPace.parse("max").initialRate());
        assertTrue(DemoPace.parse("max").describe().contains("backlog"));
        assertEquals(OptionalDouble.empty(), DemoPace.parse("max").observe(100, 10_000_000_000L));
    }

    @Test
    void aBadRateNamesTheAllowedValues() {
        for (String bad : List.of("fast", "0", "-3", "NaN", "Infinity", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DemoPace.parse(bad));
            assertMessageNames(e, "--rate", "auto", "max", "events per second");
        }
    }
}
