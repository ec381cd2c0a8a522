package dev.clstream.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The reason codes are spelled once, in {@link DeadLetterReason}, and both READMEs list exactly those. */
class DeadLetterReasonTest {
    static List<String> codes() {
        return Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::code).toList();
    }

    @Test
    void codesAreDistinctSnakeCaseAndFoundByCode() {
        assertEquals(codes().size(), new HashSet<>(codes()).size());
        for (DeadLetterReason r : DeadLetterReason.values()) {
            assertTrue(r.code().matches("[a-z]+(_[a-z]+)*"), r.code());
            assertEquals(r, DeadLetterReason.ofCode(r.code()).orElseThrow());
            assertTrue(!r.meaning().isBlank(), r.code());
        }
        assertTrue(DeadLetterReason.ofCode("no_such_reason").isEmpty());
    }

    /** The README's "Dead-letter reasons" list: one item per reason, in the enum's order. */
    @Test
    void theReadmeListsEveryReason() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("**Dead-letter reasons.**");
        assertTrue(start >= 0, "README.md has no **Dead-letter reasons.** paragraph");
        String section = readme.substring(start, readme.indexOf("\n\n", readme.indexOf("\n- ", start)));
        Matcher item = Pattern.compile("(?m)^- `([a-z_]+)`").matcher(section);
        List<String> listed = new ArrayList<>();
        while (item.find()) {
            listed.add(item.group(1));
        }
        assertEquals(codes(), listed);
    }

    /** schemas/README.md documents the DeadLetter schema's reason field with every current code, in the enum's order. */
    @Test
    void theSchemasReadmeListsEveryReason() throws IOException {
        String readme = Files.readString(Path.of("../schemas/README.md"));
        int start = readme.indexOf("Current codes:");
        assertTrue(start >= 0, "schemas/README.md has no 'Current codes:' list");
        String list = readme.substring(start, readme.indexOf(".\n", start));
        Matcher code = Pattern.compile("`([a-z_]+)`").matcher(list);
        List<String> listed = new ArrayList<>();
        while (code.find()) {
            listed.add(code.group(1));
        }
        assertEquals(codes(), listed);
    }

    @Test
    void onlyTheTokenizerAndTheEncoderNameTheModel() {
        for (DeadLetterReason r : DeadLetterReason.values()) {
            assertEquals(r.stage() == DeadLetterReason.Stage.TOKENIZE || r.stage() == DeadLetterReason.Stage.INFERENCE,
                    r.stage().involvesModel(), r.code());
        }
    }
}
