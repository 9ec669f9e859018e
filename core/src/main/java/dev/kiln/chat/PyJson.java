package dev.kiln.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code tojson} filter: Python's {@code json.dumps(x, ensure_ascii=False, indent=indent,
 * separators=separators, sort_keys=sort_keys)} (not jinja2's HTML-safe tojson). The result is untrusted as a whole when
 * the value holds any untrusted string or key.
 */
final class PyJson {
    private PyJson() {}

    static Object tojson(Object v, Filters.Args a, int line) {
        Object indentArg = a.get(0, "indent", null);
        String indent = indentArg == null ? null
                : Py.isString(indentArg) ? MarkedString.text(indentArg) : " ".repeat((int) Math.max(0, Py.toLong(indentArg)));
        Object sepArg = a.keyword().get("separators");
        String itemSep = indent == null ? ", " : ",", keySep = ": ";
        if (sepArg instanceof List<?> l && l.size() == 2) {
            itemSep = MarkedString.text(l.get(0));
            keySep = MarkedString.text(l.get(1));
        }
        boolean sortKeys = Py.truthy(a.keyword().get("sort_keys"));
        for (String k : a.keyword().keySet()) {
            if (!k.equals("indent") && !k.equals("separators") && !k.equals("sort_keys") && !k.equals("ensure_ascii")) {
                throw Py.runtime(line, "tojson() got an unexpected keyword argument '" + k + "'");
            }
        }
        if (Py.truthy(a.keyword().get("ensure_ascii"))) throw Py.unsupported(line, "tojson(ensure_ascii=true) is not supported");
        StringBuilder out = new StringBuilder();
        write(v, indent, itemSep, keySep, sortKeys, 0, out, line);
        return MarkedString.derived(out.toString(), Py.hasUntrusted(v));
    }

    private static void write(Object v, String indent, String itemSep, String keySep, boolean sortKeys, int level,
                              StringBuilder out, int line) {
        if (v == null) out.append("null");
        else if (v instanceof Boolean b) out.append(b ? "true" : "false");
        else if (v instanceof Long l) out.append(l);
        else if (v instanceof Double d) out.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Py.floatRepr(d));
        else if (Py.isString(v)) string(MarkedString.text(v), out);
        else if (v instanceof List<?> list) {
            if (list.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) out.append(itemSep);
                newline(indent, level + 1, out);
                write(list.get(i), indent, itemSep, keySep, sortKeys, level + 1, out, line);
            }
            newline(indent, level, out);
            out.append(']');
        } else if (v instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            List<Object> keys = new ArrayList<>(map.keySet());
            if (sortKeys) keys.sort((x, y) -> Py.compare(x, y, "<", line));
            out.append('{');
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) out.append(itemSep);
                newline(indent, level + 1, out);
                Object k = keys.get(i);
                if (Py.isString(k)) string(MarkedString.text(k), out);
                else if (k == null || k instanceof Boolean || k instanceof Long || k instanceof Double) {
                    out.append('"');
                    write(k, indent, itemSep, keySep, sortKeys, level, out, line);
                    out.append('"');
                } else {
                    throw Py.runtime(line, "keys must be str, int, float, bool or None, not " + Py.typeName(k));
                }
                out.append(keySep);
                write(map.get(k), indent, itemSep, keySep, sortKeys, level + 1, out, line);
            }
            newline(indent, level, out);
            out.append('}');
        } else {
            throw Py.runtime(line, "Object of type " + Py.typeName(v) + " is not JSON serializable");
        }
    }

    private static void newline(String indent, int level, StringBuilder out) {
        if (indent == null) return;
        out.append('\n');
        for (int i = 0; i < level; i++) out.append(indent);
    }

    /** A JSON string as Python writes it with ensure_ascii=False: only ", \ and control characters escaped. */
    static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        String h = Integer.toHexString(c);
                        out.append("\\u").append("0000", 0, 4 - h.length()).append(h);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
