package dev.kiln.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE pre-tokenization: the text is cut by a list of regexes, applied in order; each splits every piece
 * so far into its matches and the gaps between them (Hugging Face's Split with behaviour "Isolated", llama.cpp's
 * {@code unicode_regex_split}). BPE then runs inside each piece, so no token crosses a piece boundary.
 *
 * <p>Regexes are written in Hugging Face's (Oniguruma) syntax and translated once, when the tokenizer is built, to
 * what both the JVM and TeaVM's regex engine accept with Oniguruma's meaning: {@code \p{N}} becomes
 * {@code [\p{Nd}\p{Nl}\p{No}]} (TeaVM has no {@code \p{N}}), {@code \s}/{@code \S} become Unicode White_Space
 * (Java's {@code \s} is ASCII only; Oniguruma's and llama.cpp's are Unicode), {@code \d} becomes {@code \p{Nd}}.
 */
final class PreTokenizer {

    /** GPT-2's pattern, as Hugging Face's ByteLevel pre-tokenizer writes it ({@code \s+(?!\S)|\s+}: a run of spaces
     *  leaves its last space to the word after it). */
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** Llama 3's pattern: contractions in any case, a letter run with one leading non-letter, numbers of at most
     *  three digits, punctuation runs with their line breaks. */
    static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Qwen2's pattern: Llama 3's with single digits. */
    static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** The pre-tokenizer names a vocabulary may use (llama.cpp's {@code tokenizer.ggml.pre} values). */
    static final List<String> NAMES = List.of("gpt-2", "llama-bpe", "llama3", "qwen2", "deepseek-r1-qwen", "smollm");

    /** The regexes a name stands for, or null for a raw regex. */
    static List<String> named(String entry) {
        switch (entry) {
            case "gpt-2": return List.of(GPT2);
            case "llama-bpe", "llama3": return List.of(LLAMA3);
            case "qwen2", "deepseek-r1-qwen": return List.of(QWEN2);
            case "smollm": return List.of("\\p{N}", GPT2); // Hugging Face: Digits(individual) then ByteLevel
            default: return null;
        }
    }

    /** Unicode White_Space, the meaning of Oniguruma's and llama.cpp's \s (a character-class body). */
    private static final String SPACE = "\\t\\n\\x0B\\f\\r\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
    /** \p{N} as a character-class body. */
    private static final String NUMBER = "\\p{Nd}\\p{Nl}\\p{No}";

    private final Pattern[] patterns;

    /** Compiles the entries of {@link Vocabulary#pre()} (empty: GPT-2's pattern). */
    PreTokenizer(List<String> entries) {
        List<String> regexes = new ArrayList<>();
        for (String e : entries.isEmpty() ? List.of("gpt-2") : entries) {
            List<String> n = named(e);
            if (n != null) regexes.addAll(n);
            else regexes.add(e);
        }
        patterns = new Pattern[regexes.size()];
        for (int i = 0; i < patterns.length; i++) {
            String r = regexes.get(i);
            try {
                patterns[i] = Pattern.compile(toJava(r));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("pre-tokenizer entry '" + r + "' is neither a known name " + NAMES
                        + " nor a supported regex: " + e.getMessage());
            }
        }
    }

    /** Appends the pieces of {@code text} to {@code out}, in order; together they are exactly the text. */
    void split(String text, List<String> out) {
        List<String> pieces = new ArrayList<>();
        pieces.add(text);
        for (Pattern p : patterns) {
            List<String> next = new ArrayList<>();
            for (String piece : pieces) isolate(p, piece, next);
            pieces = next;
        }
        out.addAll(pieces);
    }

    /** Matches and the gaps between them, both kept, empty ones dropped. */
    private static void isolate(Pattern p, String piece, List<String> out) {
        Matcher m = p.matcher(piece);
        int at = 0;
        while (m.find()) {
            if (m.end() == m.start()) continue;
            if (m.start() > at) out.add(piece.substring(at, m.start()));
            out.add(piece.substring(m.start(), m.end()));
            at = m.end();
        }
        if (at < piece.length()) out.add(piece.substring(at));
    }

    /** An Oniguruma-syntax regex rewritten for java.util.regex (JVM and TeaVM) with the same meaning. */
    static String toJava(String regex) {
        StringBuilder out = new StringBuilder(regex.length() + 32);
        int depth = 0; // character-class nesting
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                char d = regex.charAt(++i);
                boolean inClass = depth > 0;
                if ((d == 'p' || d == 'P') && regex.startsWith("{N}", i + 1)) {
                    i += 3;
                    if (d == 'p') out.append(inClass ? NUMBER : "[" + NUMBER + "]");
                    else if (!inClass) out.append("[^" + NUMBER + "]");
                    else throw new IllegalArgumentException("\\P{N} inside a character class is not supported");
                } else if (d == 's') {
                    out.append(inClass ? SPACE : "[" + SPACE + "]");
                } else if (d == 'S') {
                    if (inClass) throw new IllegalArgumentException("\\S inside a character class is not supported");
                    out.append("[^" + SPACE + "]");
                } else if (d == 'd') {
                    out.append("\\p{Nd}");
                } else if (d == 'D') {
                    out.append(inClass ? "\\P{Nd}" : "[^\\p{Nd}]");
                } else {
                    out.append(c).append(d);
                }
            } else {
                if (c == '[') depth++;
                else if (c == ']' && depth > 0) depth--;
                out.append(c);
            }
        }
        return out.toString();
    }
}
