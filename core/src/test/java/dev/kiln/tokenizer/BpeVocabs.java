package dev.kiln.tokenizer;

import java.util.ArrayList;
import java.util.List;

/** Small byte-level vocabularies for tests: token b (0..255) spells byte b, then merges and added tokens in order. */
final class BpeVocabs {
    final List<String> tokens = new ArrayList<>();
    final List<Integer> types = new ArrayList<>();
    final List<String> merges = new ArrayList<>();
    List<String> pre = List.of();
    String normalizer = "";
    boolean ignoreMerges, addSpacePrefix;
    int unk = -1;

    BpeVocabs() {
        for (int b = 0; b < 256; b++) add(String.valueOf(ByteLevel.charOf(b)), Vocabulary.NORMAL);
    }

    BpeVocabs add(String text, int type) {
        tokens.add(text);
        types.add(type);
        return this;
    }

    /** A merge rule "a b" (plain text, spelled in the byte alphabet here) and its merged token, next in rank. */
    BpeVocabs merge(String a, String b) {
        merges.add(spell(a) + " " + spell(b));
        if (!tokens.contains(spell(a + b))) add(spell(a + b), Vocabulary.NORMAL);
        return this;
    }

    /** A plain-text token (spelled in the byte alphabet), without a merge producing it. */
    BpeVocabs token(String text) { return add(spell(text), Vocabulary.NORMAL); }

    /** The id of the token for plain text {@code text}. */
    int id(String text) {
        int i = tokens.indexOf(spell(text));
        if (i < 0) throw new IllegalArgumentException("no token '" + text + "'");
        return i;
    }

    /** The id of an added token, by its literal text. */
    int added(String text) { return tokens.indexOf(text); }

    Vocabulary build() {
        int[] t = types.stream().mapToInt(Integer::intValue).toArray();
        return new Vocabulary("bpe", tokens, new float[0], t, merges, -1, -1, unk, false, addSpacePrefix, pre, normalizer, ignoreMerges);
    }

    ByteLevelBpe tokenizer() { return (ByteLevelBpe) Tokenizer.of(build(), s -> java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFC)); }

    /** Plain text spelled in GPT-2's byte alphabet (UTF-8 bytes, one character each). */
    static String spell(String text) {
        StringBuilder s = new StringBuilder();
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) s.append(ByteLevel.charOf(b & 0xFF));
        return s.toString();
    }
}
