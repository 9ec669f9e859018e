package dev.kiln.tokenizer;

/**
 * Unicode NFC normalization, supplied by the platform because TeaVM's class library has no
 * {@code java.text.Normalizer}: in the browser {@code text.normalize("NFC")} through a one-line JSO binding, on the
 * JVM {@code s -> java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFC)}. Needed by vocabularies whose
 * {@link Vocabulary#normalizer()} is "nfc" (Qwen2 and its descendants); see {@link Tokenizer#of(Vocabulary, Nfc)}.
 */
@FunctionalInterface
public interface Nfc {
    String normalize(String text);
}
