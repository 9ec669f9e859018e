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
}
