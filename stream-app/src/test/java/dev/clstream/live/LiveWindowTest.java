package dev.clstream.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The live page's rolling window, on a clock the test moves by hand. */
class LiveWindowTest {
    static final long T0 = 1_700_000_000_000L;
    final AtomicLong clock = new AtomicLong(T0);
    final LiveWindow window = new LiveWindow(List.of("ham", "spam"), 0.7, true, clock::get);

    @Test
    void theModelServingAndEachSwapWithItsTimeAreOnThePage() {
        window.modelServed("tiny@1.0.0");
        assertEquals("tiny@1.0.0", window.snapshot().get("model").asText());
        assertEquals(0, window.snapshot().get("model_swaps").size(), "the first model is no swap");
        clock.addAndGet(5000);
        window.modelServed("tiny@2.0.0");
        window.modelServed("tiny@2.0.0");
        var d = window.snapshot();
        assertEquals("tiny@2.0.0", d.get("model").asText());
        assertEquals(1, d.get("model_swaps").size());
        assertEquals(T0 + 5000, d.get("model_swaps").get(0).get("time_ms").asLong());
        assertEquals("tiny@2.0.0", d.get("model_swaps").get(0).get("model").asText());
    }

    @Test
    void theShadowsAgreementAndConfusionStartAgainWithANewShadowVersion() {
        assertTrue(window.snapshot().get("shadow").isNull(), "no shadow model: no section");
        window.shadowCompared("cand@1", "ham", "ham");
        window.shadowCompared("cand@1", "ham", "spam");
        window.shadowCompared("cand@1", "spam", "spam");
        window.shadowCompared("cand@1", "spam", null);
        window.shadowSkipped();
        var s = window.snapshot().get("shadow");
        assertEquals("cand@1", s.get("model").asText());
        assertEquals(4, s.get("compared").asLong());
        assertEquals(2, s.get("agreed").asLong());
        assertEquals(1, s.get("skipped").asLong());
        assertEquals(1, s.get("confusion").get("spam").get("(none)").asLong());
        window.shadowCompared("cand@2", "ham", "ham");
        s = window.snapshot().get("shadow");
        assertEquals(1, s.get("compared").asLong(), s.toString());
    }

    @Test
    void countsEachCompleteSecondAndLeavesTheCurrentOneOut() {
        for (int i = 0; i < 5; i++) {
            window.eventIn();
            window.classified("e" + i, "text " + i, i < 3 ? "ham" : "spam", 0.9);
            window.processed(40);
        }
        clock.addAndGet(1000);
        window.eventIn();
        window.eventIn();
        window.deadLetter("invalid_json", "decode", "not JSON", "in-0@7");
        clock.addAndGet(1000);
        window.eventIn(); // the current second: not in the series yet

        JsonNode s = window.snapshot();
        assertEquals(List.of(T0 / 1000, T0 / 1000 + 1), longs(s.get("seconds")));
        assertEquals(List.of(5L, 2L), longs(s.get("in")));
        assertEquals(List.of(5L, 1L), longs(s.get("out")), "processed and dead-lettered events are both out");
        assertEquals(List.of(0L, 1L), longs(s.get("dead_letters")));
        assertEquals(List.of(3L, 0L), longs(s.path("labels_per_second").get("ham")));
        assertEquals(List.of(2L, 0L), longs(s.path("labels_per_second").get("spam")));
        JsonNode summary = s.get("summary");
        assertEquals(3.5, summary.get("in_per_second").asDouble(), 1e-9, "7 events over 2 complete seconds");
        assertEquals(3.0, summary.get("out_per_second").asDouble(), 1e-9);
        assertEquals(3, summary.path("labels").get("ham").asLong());
        assertEquals(1, summary.path("dead_letters_by_reason").get("invalid_json").asLong());
        assertEquals(8, s.path("totals").get("in").asLong(), "totals include the current second");
    }

    @Test
    void percentilesComeBackWithinTheHistogramsResolution() {
        for (int ms = 1; ms <= 1000; ms++) {
            window.processed(ms);
        }
        window.batch(4, 2_500_000);
        window.batch(8, 7_500_000);
        clock.addAndGet(1000);

        JsonNode s = window.snapshot();
        JsonNode e2e = s.path("summary").get("end_to_end_ms");
        assertEquals(1000, e2e.get("count").asLong());
        // README: "within about 4.5% of the exact value".
        assertEquals(500, e2e.get("p50").asDouble(), 500 * 0.045);
        assertEquals(950, e2e.get("p95").asDouble(), 950 * 0.045);
        assertEquals(990, e2e.get("p99").asDouble(), 990 * 0.045);
        assertEquals(990, s.path("latency_ms").path("end_to_end").get("p99").get(0).asDouble(), 990 * 0.045);
        assertEquals(7.5, s.path("summary").path("inference_ms").get("p99").asDouble(), 7.5 * 0.045);
        assertEquals(6.0, s.path("summary").get("batch_mean").asDouble(), 1e-9);
        assertEquals(6.0, s.path("batch").get("mean").get(0).asDouble(), 1e-9);
        assertEquals(8, s.path("batch").get("max").get(0).asLong());
    }

    @Test
    void aSecondWithoutSamplesIsAGapNotAZero() {
        window.processed(10);
        clock.addAndGet(2000);
        JsonNode p50 = window.snapshot().path("latency_ms").path("end_to_end").get("p50");
        assertEquals(2, p50.size());
        assertTrue(p50.get(0).isNumber() && p50.get(1).isNull(), p50.toString());
        assertTrue(window.snapshot().path("batch").get("mean").get(1).isNull());
    }

    @Test
    void keepsOnlyTheLastFiveMinutes() {
        window.eventIn();
        clock.addAndGet(LiveWindow.WINDOW_SECONDS * 1000L + 1000);
        window.eventIn();
        clock.addAndGet(1000);
        JsonNode s = window.snapshot();
        assertEquals(LiveWindow.WINDOW_SECONDS, s.get("seconds").size());
        assertEquals(1, longs(s.get("in")).stream().mapToLong(Long::longValue).sum(), "the first event has aged out");
        assertEquals(2, s.path("totals").get("in").asLong());
    }

    @Test
    void listsTheLatestLowConfidenceEventsNewestFirst() {
        window.classified("sure", "certain", "ham", 0.95);
        window.classified("edge", "exactly at the threshold", "ham", 0.7);
        for (int i = 0; i < LiveWindow.RECENT + 5; i++) {
            window.classified("doubt-" + i, "  maybe\n\tspam  " + i + "  ", "spam", 0.55);
        }
        JsonNode low = window.snapshot().get("low_confidence");
        assertEquals(LiveWindow.RECENT, low.size(), "bounded");
        assertEquals("doubt-" + (LiveWindow.RECENT + 4), low.get(0).get("id").asText());
        assertEquals("spam", low.get(0).get("label").asText());
        assertEquals(0.55, low.get(0).get("score").asDouble(), 1e-9);
        assertEquals("maybe spam " + (LiveWindow.RECENT + 4), low.get(0).get("text").asText(), "on one line");
        assertTrue(low.findValuesAsText("id").stream().noneMatch(id -> id.equals("sure") || id.equals("edge")));
    }

    @Test
    void listsTheLatestDeadLettersWithTheirReason() {
        window.deadLetter("empty_text", "validate", "the event's text is empty", "in-1@3");
        JsonNode d = window.snapshot().get("recent_dead_letters").get(0);
        assertEquals("empty_text", d.get("reason").asText());
        assertEquals("validate", d.get("stage").asText());
        assertEquals("in-1@3", d.get("source").asText());
        assertEquals(T0, d.get("time_ms").asLong());
    }

    @Test
    void withoutShowTextsNoTextOrMessageIsKept() {
        LiveWindow hidden = new LiveWindow(List.of("ham", "spam"), 0.7, false, clock::get);
        hidden.classified("doubt", "a private message 7751", "spam", 0.55);
        hidden.deadLetter("invalid_json", "decode", "unexpected token in 'private 7752'", "in-0@1");
        JsonNode snapshot = hidden.snapshot();
        assertFalse(snapshot.get("texts_shown").asBoolean());
        assertTrue(window.snapshot().get("texts_shown").asBoolean());
        JsonNode low = snapshot.get("low_confidence").get(0);
        assertEquals("doubt", low.get("id").asText(), "ids, labels and scores stay");
        assertTrue(low.get("text").isNull(), low.toString());
        JsonNode dead = snapshot.get("recent_dead_letters").get(0);
        assertEquals("invalid_json", dead.get("reason").asText());
        assertTrue(dead.get("message").isNull(), dead.toString());
        assertFalse(snapshot.toString().contains("775"), snapshot.toString());
    }

    @Test
    void previewsAreCutAndKeepWholeCharacters() {
        String longText = "x".repeat(LiveWindow.PREVIEW_CHARS - 2) + "😀" + "y".repeat(1_000_000);
        String p = LiveWindow.preview(longText);
        assertEquals(LiveWindow.PREVIEW_CHARS - 1, p.length(), p);
        assertTrue(p.endsWith("x…"), "the emoji would be split, so it goes whole: " + p);
        assertEquals("a b", LiveWindow.preview(" a \n\n b "));
        String exact = "z".repeat(LiveWindow.PREVIEW_CHARS);
        assertEquals(exact, LiveWindow.preview(exact));
        assertEquals("", LiveWindow.preview(null));
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asLong()));
        return out;
    }
}
