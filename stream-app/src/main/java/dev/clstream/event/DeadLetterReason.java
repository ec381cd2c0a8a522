package dev.clstream.event;

import java.util.Arrays;
import java.util.Optional;

/**
 * Why a record went to the dead-letter topic: the only place a reason code is spelled. Each reason
 * belongs to the pipeline stage that finds it, and its code is what dead letters, metrics
 * ({@code clstream_dead_letters_total{reason}}), {@code classify}'s error objects and the README
 * name.
 */
public enum DeadLetterReason {
    NULL_VALUE("null_value", Stage.DECODE, "the record value is null (a tombstone)"),
    WRONG_MAGIC_BYTE("wrong_magic_byte", Stage.DECODE, "the first byte is not the Confluent wire format's magic byte 0"),
    UNKNOWN_SCHEMA_ID("unknown_schema_id", Stage.DECODE, "the schema id in the Confluent header is not in the registry"),
    UNDECODABLE("undecodable", Stage.DECODE, "corrupt or truncated Avro, or bytes that are not UTF-8"),
    INCOMPATIBLE_SCHEMA("incompatible_schema", Stage.DECODE,
            "the writer schema cannot be read as the reader schema (TextEvent)"),
    INVALID_JSON("invalid_json", Stage.DECODE, "not a JSON object, or a field of the wrong type"),
    MISSING_TEXT("missing_text", Stage.VALIDATE, "the event has no text"),
    EMPTY_TEXT("empty_text", Stage.VALIDATE, "the text is empty"),
    BLANK_TEXT("blank_text", Stage.TOKENIZE, "the text is white space only"),
    NO_TOKENS("no_tokens", Stage.TOKENIZE, "nothing is left of the text after the tokenizer's normalisation"),
    TEXT_TOO_LARGE("text_too_large", Stage.VALIDATE, "the text is over text.max.bytes"),
    TOO_LARGE("too_large", Stage.VALIDATE,
            "the record's outputs, or its entry in the micro-batch store, would be over the producer's max.request.size"),
    INFERENCE_FAILED("inference_failed", Stage.INFERENCE, "the encoder failed on this text alone");

    /** The pipeline stages a record can fail in, as dead letters name them. */
    public enum Stage {
        DECODE("decode"),
        VALIDATE("validate"),
        TOKENIZE("tokenize"),
        INFERENCE("inference");

        private final String code;

        Stage(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        /** The tokenizer or the encoder had a part in the failure, so the dead letter names the model. */
        public boolean involvesModel() {
            return this == TOKENIZE || this == INFERENCE;
        }
    }

    private final String code;
    private final Stage stage;
    private final String meaning;

    DeadLetterReason(String code, Stage stage, String meaning) {
        this.code = code;
        this.stage = stage;
        this.meaning = meaning;
    }

    /** The stable snake_case code written to dead letters. */
    public String code() {
        return code;
    }

    public Stage stage() {
        return stage;
    }

    /** One line saying what the reason means, for people. */
    public String meaning() {
        return meaning;
    }

    /** The reason with this code, if any. */
    public static Optional<DeadLetterReason> ofCode(String code) {
        return Arrays.stream(values()).filter(r -> r.code.equals(code)).findFirst();
    }

    @Override
    public String toString() {
        return code;
    }
}
