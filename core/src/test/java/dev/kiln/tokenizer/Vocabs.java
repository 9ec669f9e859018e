package dev.kiln.tokenizer;

import java.util.ArrayList;
import java.util.List;

/** Small hand-made vocabularies for tokenizer tests. */
final class Vocabs {
    private Vocabs() {}

    static final int UNK = 0, BOS = 1, EOS = 2, BYTE0 = 3; // byte b is token BYTE0 + b

    /** A builder: special tokens and 256 byte tokens first, then the pieces added in order. */
    static final class Builder {
        final List<String> tokens = new ArrayList<>();
        final List<Float> scores = new ArrayList<>();
        final List<Integer> types = new ArrayList<>();
        boolean addBos = true, addSpacePrefix = true;

        Builder(boolean byteTokens) {
            add("<unk>", 0f, Vocabulary.UNKNOWN);
            add("<s>", 0f, Vocabulary.CONTROL);
            add("</s>", 0f, Vocabulary.CONTROL);
            if (byteTokens) {
                for (int b = 0; b < 256; b++) {
                    String hex = Integer.toHexString(0x100 | b).substring(1).toUpperCase();
                    add("<0x" + hex + ">", 0f, Vocabulary.BYTE);
                }
            }
        }

        Builder add(String text, float score, int type) {
            tokens.add(text);
            scores.add(score);
            types.add(type);
            return this;
        }

        Builder piece(String text, float score) { return add(text.replace(' ', '\u2581'), score, Vocabulary.NORMAL); }

        int id(String text) { return tokens.indexOf(text.replace(' ', '\u2581')); }

        Vocabulary build() {
            float[] s = new float[scores.size()];
            int[] t = new int[types.size()];
            for (int i = 0; i < s.length; i++) { s[i] = scores.get(i); t[i] = types.get(i); }
            return new Vocabulary("spm", tokens, s, t, List.of(), BOS, EOS, UNK, addBos, addSpacePrefix);
        }
    }
}
