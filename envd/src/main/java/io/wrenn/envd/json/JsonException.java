package io.wrenn.envd.json;

/** Malformed JSON, or JSON of the wrong shape for the message being read. */
public final class JsonException extends RuntimeException {
    public JsonException(String message) {
        super(message);
    }
}
