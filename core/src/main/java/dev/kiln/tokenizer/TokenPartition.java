package dev.kiln.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Cuts literal tokens (user-defined or special) out of text before the tokenizer's own splitting, like llama.cpp's
 * {@code tokenizer_st_partition}: each literal in the given order (longest first) is cut out of every raw piece left.
 * Shared by both tokenizers.
 */
final class TokenPartition {
    private TokenPartition() {}

    /** The text as raw pieces (String) and cut-out tokens (Integer id), in order; an empty text gives no parts. */
    static List<Object> partition(String text, List<String> literals, Map<String, Integer> ids) {
        List<Object> parts = new ArrayList<>();
        if (!text.isEmpty()) parts.add(text);
        for (String u : literals) {
            if (text.indexOf(u) < 0) continue;
            List<Object> cut = new ArrayList<>();
            for (Object p : parts) {
                if (!(p instanceof String raw)) {
                    cut.add(p);
                    continue;
                }
                int from = 0;
                for (int k = raw.indexOf(u); k >= 0; k = raw.indexOf(u, from)) {
                    if (k > from) cut.add(raw.substring(from, k));
                    cut.add(ids.get(u));
                    from = k + u.length();
                }
                if (from < raw.length()) cut.add(raw.substring(from));
            }
            parts = cut;
        }
        return parts;
    }

    /**
     * Like {@link #partition}, but a literal is cut out only where all of its characters are trusted: outside the
     * sorted [start, end) ranges in {@code untrusted}. A literal that overlaps untrusted text stays raw text, to be
     * spelled out by the tokenizer.
     */
    static List<Object> partitionTrusted(String text, int[] untrusted, List<String> literals, Map<String, Integer> ids) {
        List<Object> parts = new ArrayList<>(); // int[] {start, end} raw ranges of text, or Integer ids
        if (!text.isEmpty()) parts.add(new int[] {0, text.length()});
        for (String u : literals) {
            if (text.indexOf(u) < 0) continue;
            List<Object> cut = new ArrayList<>();
            for (Object p : parts) {
                if (!(p instanceof int[] r)) {
                    cut.add(p);
                    continue;
                }
                int from = r[0], k = text.indexOf(u, r[0]);
                while (k >= 0 && k + u.length() <= r[1]) {
                    if (isTrusted(untrusted, k, k + u.length())) {
                        if (k > from) cut.add(new int[] {from, k});
                        cut.add(ids.get(u));
                        from = k + u.length();
                        k = text.indexOf(u, from);
                    } else {
                        k = text.indexOf(u, k + 1);
                    }
                }
                if (from < r[1]) cut.add(new int[] {from, r[1]});
            }
            parts = cut;
        }
        List<Object> out = new ArrayList<>(parts.size());
        for (Object p : parts) out.add(p instanceof int[] r ? text.substring(r[0], r[1]) : p);
        return out;
    }

    /** Whether [from, to) overlaps none of the sorted [start, end) pairs in {@code untrusted}. */
    static boolean isTrusted(int[] untrusted, int from, int to) {
        for (int i = 0; i < untrusted.length; i += 2) {
            if (untrusted[i] < to && untrusted[i + 1] > from) return false;
        }
        return true;
    }

    /**
     * The added tokens a rendered prompt may contain only where its template wrote them, longest first: control
     * tokens, and user-defined tokens without whitespace that the chat template writes (markup such as Gemma's
     * {@code <start_of_turn>}, which Hugging Face marks {@code special: false}).
     */
    static List<String> structural(Vocabulary v) {
        List<String> out = new ArrayList<>();
        for (int id = 0; id < v.size(); id++) {
            String text = v.tokens().get(id);
            int type = v.types()[id];
            if (text.isEmpty()) continue;
            if (type == Vocabulary.CONTROL || (type == Vocabulary.USER_DEFINED && writtenByTemplate(v.chatTemplate(), text))) out.add(text);
        }
        out.sort((a, b) -> b.length() - a.length());
        return out;
    }

    private static boolean writtenByTemplate(String template, String token) {
        for (int i = 0; i < token.length(); i++) if (Character.isWhitespace(token.charAt(i))) return false;
        return template.contains(token);
    }

    /** {@code literals} without those in {@code minus} (order kept). */
    static List<String> without(List<String> literals, List<String> minus) {
        List<String> out = new ArrayList<>(literals);
        out.removeAll(minus);
        return out;
    }
}
