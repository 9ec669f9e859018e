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
 * (Java's {@code \s} is ASCII only; Oniguruma's and llama.cpp's are Unicode), {@code \d} becomes {@code \p{Nd}},
 * '.' excludes only '\n', and a negated class {@code [^…]} (and \S, \P{N}) becomes a negative lookahead and one
 * character, because TeaVM's engine (Harmony's) reads {@code [^a\p{L}]} as "not a, or a letter" (seen by compiling
 * these patterns with TeaVM 0.16 and comparing the pieces with the JVM's).
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
        StringBuilder out = new StringBuilder(regex.length() + 64);
        int i = 0;
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == '[') {
                int end = classEnd(regex, i);
                boolean negated = regex.charAt(i + 1) == '^';
                String body = classBody(regex.substring(i + (negated ? 2 : 1), end));
                // TeaVM's regex (Harmony's) reads [^a\p{L}] as "not a, or a letter": write the negation as a lookahead
                out.append(negated ? "(?:(?![" + body + "])" + ANY + ")" : "[" + body + "]");
                i = end + 1;
            } else if (c == '\\' && i + 1 < regex.length()) {
                char d = regex.charAt(i + 1);
                if ((d == 'p' || d == 'P') && regex.startsWith("{N}", i + 2)) {
                    out.append(d == 'p' ? "[" + NUMBER + "]" : "(?:(?![" + NUMBER + "])" + ANY + ")");
                    i += 5;
                    continue;
                }
                switch (d) {
                    case 's': out.append("[" + SPACE + "]"); break;
                    case 'S': out.append("(?:(?![" + SPACE + "])" + ANY + ")"); break;
                    case 'd': out.append("\\p{Nd}"); break;
                    case 'D': out.append("\\P{Nd}"); break;
                    default: out.append(c).append(d);
                }
                i += 2;
            } else if (c == '.') {
                out.append("(?:(?!\\n)" + ANY + ")"); // Oniguruma's '.' excludes only '\n'
                i++;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Any one character, line breaks included. */
    private static final String ANY = "(?s:.)";

    /** The index of the ']' closing the class that opens at {@code open}. */
    private static int classEnd(String regex, int open) {
        int depth = 0;
        for (int i = open; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') i++;
            else if (c == '[') depth++;
            else if (c == ']' && --depth == 0) return i;
        }
        throw new IllegalArgumentException("unclosed character class at index " + open);
    }

    /** A character class's body with \p{N}, \s, \d spelled out; their negations cannot be written inside a class. */
    private static String classBody(String body) {
        StringBuilder out = new StringBuilder(body.length() + 64);
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '[' && i + 1 < body.length() && body.charAt(i + 1) == '^') {
                throw new IllegalArgumentException("a negated class inside a class is not supported");
            }
            if (c != '\\' || i + 1 >= body.length()) {
                out.append(c);
                continue;
            }
            char d = body.charAt(++i);
            if (d == 'p' && body.startsWith("{N}", i + 1)) {
                out.append(NUMBER);
                i += 3;
            } else if (d == 's') {
                out.append(SPACE);
            } else if (d == 'd') {
                out.append("\\p{Nd}");
            } else if (d == 'S' || d == 'D' || d == 'P' && body.startsWith("{N}", i + 1)) {
                throw new IllegalArgumentException("\\" + d + " inside a character class is not supported");
            } else {
                out.append(c).append(d);
            }
        }
        return out.toString();
    }
}
