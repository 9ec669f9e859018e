package dev.kiln.json;

/** Malformed JSON or a JSON document that lacks what the reader expects; the message says where. */
public class JsonException extends RuntimeException {
    public JsonException(String message) { super(message); }
}
