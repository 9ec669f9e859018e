package dev.kiln.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python semantics of template values: truthiness, {@code str()} and {@code repr()}, {@code ==} and ordering, type
 * names. Values are null (None), {@link Undefined}, Boolean, Long (int), Double (float), String or
 * {@link MarkedString} (str), List (list and tuple), Map (dict), {@link Namespace}, {@link Fn}.
 */
final class Py {
    private Py() {}

    static boolean isString(Object v) { return v instanceof String || v instanceof MarkedString; }

    static boolean isNumber(Object v) { return v instanceof Long || v instanceof Double || v instanceof Boolean; }

    static boolean truthy(Object v) {
        if (v == null || v instanceof Undefined) return false;
        if (v instanceof Boolean b) return b;
        if (v instanceof Long l) return l != 0;
        if (v instanceof Double d) return d != 0;
        if (isString(v)) return !MarkedString.text(v).isEmpty();
        if (v instanceof List<?> l) return !l.isEmpty();
        if (v instanceof Map<?, ?> m) return !m.isEmpty();
        return true;
    }

    static String typeName(Object v) {
        if (v == null) return "NoneType";
        if (v instanceof Undefined) return "Undefined";
        if (v instanceof Boolean) return "bool";
        if (v instanceof Long) return "int";
        if (v instanceof Double) return "float";
        if (isString(v)) return "str";
        if (v instanceof Tuple) return "tuple";
        if (v instanceof List<?>) return "list";
        if (v instanceof Map<?, ?>) return "dict";
        if (v instanceof Namespace) return "Namespace";
        return "function";
    }

    /** Python's str(v); strings come back as their text (marks are the caller's business). */
    static String str(Object v) {
        if (v instanceof Undefined) return "";
        if (isString(v)) return MarkedString.text(v);
        return repr(v);
    }

    static String repr(Object v) {
        if (v == null) return "None";
        if (v instanceof Undefined) return "";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof Long l) return l.toString();
        if (v instanceof Double d) return floatRepr(d);
        if (isString(v)) return stringRepr(MarkedString.text(v));
        if (v instanceof Tuple t) {
            StringBuilder s = new StringBuilder("(");
            for (int i = 0; i < t.size(); i++) s.append(i > 0 ? ", " : "").append(repr(t.get(i)));
            return s.append(t.size() == 1 ? ",)" : ")").toString();
        }
        if (v instanceof Tuple.DictView d) return d.kind + "(" + repr(new ArrayList<>(d)) + ")";
        if (v instanceof List<?> l) {
            StringBuilder s = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) s.append(i > 0 ? ", " : "").append(repr(l.get(i)));
            return s.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder s = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                s.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                first = false;
            }
            return s.append('}').toString();
        }
        if (v instanceof Namespace n) return "<Namespace " + repr(n.attrs) + ">";
        return "<function>";
    }

    /** Python's repr of a str: single quotes unless the text has a ' and no ". */
    static String stringRepr(String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder().append(q);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == q || c == '\\') b.append('\\').append(c);
            else if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else if (c == '\t') b.append("\\t");
            else if (c < 0x20 || c == 0x7f) b.append("\\x").append(hex2(c));
            else b.append(c);
        }
        return b.append(q).toString();
    }

    private static String hex2(int c) {
        String h = Integer.toHexString(c);
        return h.length() == 1 ? "0" + h : h;
    }

    /** Python's repr of a float: the shortest round-trip digits, scientific below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        String j = Double.toString(Math.abs(d)); // shortest digits, as "123.45" or "1.2345E-7"
        String mant = j, exp = "0";
        int e = j.indexOf('E');
        if (e >= 0) {
            mant = j.substring(0, e);
            exp = j.substring(e + 1);
        }
        int dot = mant.indexOf('.');
        String digits = mant.substring(0, dot) + mant.substring(dot + 1);
        int point = dot + Integer.parseInt(exp); // decimal point position within digits
        int lead = 0;
        while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
            lead++;
            point--;
        }
        digits = digits.substring(lead);
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') end--;
        digits = digits.substring(0, end);
        int exponent = point - 1;
        StringBuilder s = new StringBuilder(d < 0 ? "-" : "");
        if (exponent < -4 || exponent >= 16) {
            s.append(digits.charAt(0));
            if (digits.length() > 1) s.append('.').append(digits, 1, digits.length());
            s.append('e').append(exponent < 0 ? '-' : '+');
            int a = Math.abs(exponent);
            if (a < 10) s.append('0');
            return s.append(a).toString();
        }
        if (point <= 0) {
            s.append("0.");
            for (int k = 0; k < -point; k++) s.append('0');
            return s.append(digits).toString();
        }
        if (point >= digits.length()) {
            s.append(digits);
            for (int k = digits.length(); k < point; k++) s.append('0');
            return s.append(".0").toString();
        }
        return s.append(digits, 0, point).append('.').append(digits, point, digits.length()).toString();
    }

    /** Python's ==. */
    static boolean eq(Object a, Object b) {
        if (a == b) return true;
        if (a == null || b == null) return false;
        if (isString(a) && isString(b)) return MarkedString.text(a).equals(MarkedString.text(b));
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) return toDouble(a) == toDouble(b);
            return toLong(a) == toLong(b);
        }
        if (a instanceof Undefined && b instanceof Undefined) return true;
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return false;
            for (int i = 0; i < x.size(); i++) if (!eq(x.get(i), y.get(i))) return false;
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) return false;
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) return false;
            }
            return true;
        }
        return false;
    }

    /** Python's ordering (a &lt; b is compare(a, b) &lt; 0) for numbers, strings and lists. */
    static int compare(Object a, Object b, String op, int line) {
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) return Double.compare(toDouble(a), toDouble(b));
            return Long.compare(toLong(a), toLong(b));
        }
        if (isString(a) && isString(b)) return MarkedString.text(a).compareTo(MarkedString.text(b));
        if (a instanceof List<?> x && b instanceof List<?> y) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) return compare(x.get(i), y.get(i), op, line);
            }
            return Integer.compare(x.size(), y.size());
        }
        if (a instanceof Undefined u) throw u.error(line);
        if (b instanceof Undefined u) throw u.error(line);
        throw runtime(line, "'" + op + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    static long toLong(Object v) {
        if (v instanceof Boolean b) return b ? 1 : 0;
        return ((Number) v).longValue();
    }

    static double toDouble(Object v) {
        if (v instanceof Boolean b) return b ? 1 : 0;
        return ((Number) v).doubleValue();
    }

    /** The items a for loop visits: a list's items, a dict's keys, a string's characters; undefined is empty. */
    static List<Object> iterate(Object v, int line) {
        if (v instanceof Undefined) return List.of();
        if (v instanceof List<?> l) return new ArrayList<>(l);
        if (v instanceof InputDict d) {
            List<Object> keys = new ArrayList<>();
            for (Object k : d.keySet()) keys.add(d.key(k));
            return keys;
        }
        if (v instanceof Map<?, ?> m) return new ArrayList<>(m.keySet());
        if (isString(v)) {
            List<Object> chars = new ArrayList<>();
            String s = MarkedString.text(v);
            for (int i = 0; i < s.length(); ) {
                int n = Character.charCount(s.codePointAt(i));
                chars.add(MarkedString.sub(v, i, i + n));
                i += n;
            }
            return chars;
        }
        throw runtime(line, "'" + typeName(v) + "' object is not iterable");
    }

    /** Python's len(). */
    static int len(Object v, int line) {
        if (v instanceof Undefined) return 0;
        if (isString(v)) {
            String s = MarkedString.text(v);
            return s.codePointCount(0, s.length());
        }
        if (v instanceof List<?> l) return l.size();
        if (v instanceof Map<?, ?> m) return m.size();
        throw runtime(line, "object of type '" + typeName(v) + "' has no len()");
    }

    /** Whether a string value holds untrusted characters, or a container holds any such string or key. */
    static boolean hasUntrusted(Object v) {
        if (isString(v)) return MarkedString.isMarked(v);
        if (v instanceof InputDict d) return !d.isEmpty();
        if (v instanceof List<?> l) {
            for (Object o : l) if (hasUntrusted(o)) return true;
        } else if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) if (hasUntrusted(e.getKey()) || hasUntrusted(e.getValue())) return true;
        } else if (v instanceof Namespace n) {
            return hasUntrusted(n.attrs);
        }
        return false;
    }

    static TemplateException runtime(int line, String message) {
        return new TemplateException(TemplateException.Kind.RUNTIME, line, message);
    }

    static TemplateException unsupported(int line, String message) {
        return new TemplateException(TemplateException.Kind.UNSUPPORTED, line, message);
    }
}
