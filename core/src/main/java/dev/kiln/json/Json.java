package dev.kiln.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer that TeaVM compiles (no reflection). Values are {@code Map<String,Object>} (insertion
 * ordered), {@code List<Object>}, {@code String}, {@code Double}, {@code Boolean} and {@code null}.
 */
public final class Json {
    /**
     * Deepest nesting of arrays and objects accepted: real manifests and tokenizer files nest fewer than 10 levels,
     * and the recursive reader must fail with a {@link JsonLimitException}, not a {@link StackOverflowError}.
     */
    public static final int MAX_DEPTH = 256;
    /** Longest document accepted, in chars: the largest real tokenizer.json files are ~35 MB. */
    public static final int MAX_LENGTH = 256 << 20;

    private final String s;
    private int i;
    private int depth;

    private Json(String s) { this.s = s; }

    /**
     * Parses one JSON document; throws {@link JsonException} naming the offset of the first problem, or
     * {@link JsonLimitException} for a document deeper than {@link #MAX_DEPTH} or longer than {@link #MAX_LENGTH}.
     */
    public static Object parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new JsonLimitException("JSON document of " + text.length() + " chars exceeds the limit of " + MAX_LENGTH
                    + " chars: this is not a model file Kiln reads");
        }
        Json p = new Json(text);
        p.ws();
        Object v = p.value();
        p.ws();
        if (p.i != p.s.length()) throw p.error("unexpected trailing characters");
        return v;
    }

    private Object value() {
        if (i >= s.length()) throw error("unexpected end of input");
        char c = s.charAt(i);
        switch (c) {
            case '{': enter(); Object o = object(); depth--; return o;
            case '[': enter(); Object a = array(); depth--; return a;
            case '"': return string();
            case 't': literal("true"); return Boolean.TRUE;
            case 'f': literal("false"); return Boolean.FALSE;
            case 'n': literal("null"); return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("unexpected character '" + c + "'");
        }
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw new JsonLimitException("JSON nested deeper than " + MAX_DEPTH + " levels at offset " + i
                    + ": this is not a model file Kiln reads");
        }
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (peek() == '}') { i++; return m; }
        while (true) {
            ws();
            if (peek() != '"') throw error("expected a string key");
            String k = string();
            ws();
            expect(':');
            ws();
            m.put(k, value());
            ws();
            char c = next();
            if (c == '}') return m;
            if (c != ',') throw error("expected ',' or '}'");
        }
    }

    private List<Object> array() {
        List<Object> a = new ArrayList<>();
        i++;
        ws();
        if (peek() == ']') { i++; return a; }
        while (true) {
            ws();
            a.add(value());
            ws();
            char c = next();
            if (c == ']') return a;
            if (c != ',') throw error("expected ',' or ']'");
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw error("unterminated string");
            char c = s.charAt(i++);
            if (c == '"') return b.toString();
            if (c != '\\') { b.append(c); continue; }
            char e = next();
            switch (e) {
                case '"': b.append('"'); break;
                case '\\': b.append('\\'); break;
                case '/': b.append('/'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'u':
                    if (i + 4 > s.length()) throw error("bad \\u escape");
                    int u = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i + k), 16);
                        if (d < 0) throw error("bad \\u escape '" + s.substring(i, i + 4) + "', expected 4 hex digits");
                        u = u * 16 + d;
                    }
                    b.append((char) u);
                    i += 4;
                    break;
                default: throw error("bad escape '\\" + e + "'");
            }
        }
    }

    private Double number() {
        int start = i;
        if (peek() == '-') i++;
        while (i < s.length() && "0123456789.eE+-".indexOf(s.charAt(i)) >= 0) i++;
        try {
            double d = Double.parseDouble(s.substring(start, i));
            if (Double.isInfinite(d)) throw error("number '" + s.substring(start, i) + "' is beyond the range of a double");
            return d;
        } catch (NumberFormatException e) {
            throw error("bad number '" + s.substring(start, i) + "'");
        }
    }

    private void literal(String word) {
        if (!s.startsWith(word, i)) throw error("expected " + word);
        i += word.length();
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
            i++;
        }
    }

    private char peek() { return i < s.length() ? s.charAt(i) : '\0'; }

    private char next() {
        if (i >= s.length()) throw error("unexpected end of input");
        return s.charAt(i++);
    }

    private void expect(char c) {
        if (next() != c) throw error("expected '" + c + "'");
    }

    private JsonException error(String what) { return new JsonException(what + " at offset " + i); }

    // ---- writing ----

    /** Writes a value tree (the same types {@link #parse} returns, plus any {@link Number}) as compact JSON. */
    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v, -1, 0);
        return b.toString();
    }

    /** Like {@link #write} with two-space indentation, for files people read. */
    public static String writePretty(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v, 2, 0);
        return b.append('\n').toString();
    }

    @SuppressWarnings("unchecked")
    private static void write(StringBuilder b, Object v, int indent, int depth) {
        if (v == null) b.append("null");
        else if (v instanceof String str) quote(b, str);
        else if (v instanceof Boolean) b.append(v);
        else if (v instanceof Double || v instanceof Float) number(b, ((Number) v).doubleValue());
        else if (v instanceof Number) b.append(((Number) v).longValue());
        else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                if (!first) b.append(',');
                first = false;
                newline(b, indent, depth + 1);
                quote(b, e.getKey());
                b.append(indent >= 0 ? ": " : ":");
                write(b, e.getValue(), indent, depth + 1);
            }
            if (!m.isEmpty()) newline(b, indent, depth);
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            boolean scalars = true;
            for (Object o : l) if (o instanceof Map || o instanceof List) scalars = false;
            for (int k = 0; k < l.size(); k++) {
                if (k > 0) b.append(scalars && indent >= 0 ? ", " : ",");
                if (!scalars) newline(b, indent, depth + 1);
                write(b, l.get(k), indent, depth + 1);
            }
            if (!scalars && !l.isEmpty()) newline(b, indent, depth);
            b.append(']');
        } else throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
    }

    private static void number(StringBuilder b, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) throw new IllegalArgumentException("JSON has no " + d);
        if (d == Math.rint(d) && Math.abs(d) < 1e15) b.append((long) d);
        else b.append(d);
    }

    private static void newline(StringBuilder b, int indent, int depth) {
        if (indent < 0) return;
        b.append('\n');
        for (int k = 0; k < indent * depth; k++) b.append(' ');
    }

    private static void quote(StringBuilder b, String str) {
        b.append('"');
        for (int k = 0; k < str.length(); k++) {
            char c = str.charAt(k);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        String hex = Integer.toHexString(c);
                        b.append("\\u");
                        for (int p = hex.length(); p < 4; p++) b.append('0');
                        b.append(hex);
                    } else b.append(c);
            }
        }
        b.append('"');
    }
}
