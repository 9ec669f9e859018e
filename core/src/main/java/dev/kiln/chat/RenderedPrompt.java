package dev.kiln.chat;

import dev.kiln.tokenizer.Tokenizer;

import java.util.Arrays;

/**
 * A rendered chat prompt and which of its characters are untrusted: {@code untrusted} holds sorted, disjoint
 * [start, end) character ranges that came from message content, tools, documents or other caller values. Only the
 * rest (template literals and special-token variables such as {@code bos_token}) may spell special tokens.
 */
public record RenderedPrompt(String text, int[] untrusted) {

    public RenderedPrompt {
        for (int i = 0; i < untrusted.length; i += 2) {
            if (untrusted[i] >= untrusted[i + 1] || untrusted[i + 1] > text.length() || (i > 0 && untrusted[i] < untrusted[i - 1])) {
                throw new IllegalArgumentException("untrusted ranges must be sorted, disjoint and inside the text: " + Arrays.toString(untrusted));
            }
        }
    }

    /** Whether every character in [from, to) came from the template or a special-token variable. */
    public boolean isTrusted(int from, int to) {
        for (int i = 0; i < untrusted.length; i += 2) {
            if (untrusted[i] < to && untrusted[i + 1] > from) return false;
        }
        return true;
    }

    /** The prompt's token ids: special tokens only where the template wrote them, BOS once (see {@link Tokenizer#encodePrompt}). */
    public int[] tokens(Tokenizer tokenizer) {
        return tokenizer.encodePrompt(text, untrusted);
    }

    @Override public boolean equals(Object o) {
        return o instanceof RenderedPrompt r && r.text.equals(text) && Arrays.equals(r.untrusted, untrusted);
    }

    @Override public int hashCode() { return text.hashCode() * 31 + Arrays.hashCode(untrusted); }

    @Override public String toString() { return "RenderedPrompt[" + text.length() + " chars, untrusted " + Arrays.toString(untrusted) + "]"; }
}
