package dev.kiln.json;

/** A JSON document beyond the reader's bounds (nesting depth or length); a kind of malformed input. */
public class JsonLimitException extends JsonException {
    public JsonLimitException(String message) { super(message); }
}
