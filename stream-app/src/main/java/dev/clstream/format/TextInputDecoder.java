package dev.clstream.format;

import dev.clstream.event.DeadLetterReason;
import dev.clstream.event.DecodeException;
import dev.clstream.event.InputDecoder;
import dev.clstream.event.InputEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@code input.format=text}: the value is the text, in UTF-8; the event id comes from the key. */
public final class TextInputDecoder implements InputDecoder {
    @Override
    public InputEvent decode(String topic, byte[] key, byte[] value) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return new InputEvent(null, utf8.decode(ByteBuffer.wrap(value)).toString(), null, Map.of());
        } catch (CharacterCodingException e) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "the value is not valid UTF-8 text: " + e.getMessage());
        }
    }
}
