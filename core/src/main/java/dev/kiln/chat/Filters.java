package dev.kiln.chat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** jinja2's built-in filters that chat templates use, plus transformers' {@code tojson}. */
final class Filters {
    private Filters() {}

    static Object apply(Evaluator ev, Expr.Filter f, Object value, Scope scope) {
        List<Object> args = new ArrayList<>();
        for (Expr a : f.args()) args.add(ev.eval(a, scope));
        Map<String, Object> kw = new LinkedHashMap<>();
        for (int i = 0; i < f.kwNames().size(); i++) kw.put(f.kwNames().get(i), ev.eval(f.kwValues().get(i), scope));
        return apply(f.name(), value, new Args(f.name(), args, kw, f.line()));
    }

    /** Positional and keyword arguments of one filter call, read by parameter position and name. */
    record Args(String filter, List<Object> positional, Map<String, Object> keyword, int line) {
        Object get(int i, String name, Object dflt) {
            if (i < positional.size()) return positional.get(i);
            return keyword.containsKey(name) ? keyword.get(name) : dflt;
        }

        boolean has(int i, String name) { return i < positional.size() || keyword.containsKey(name); }
    }

    static Object apply(String name, Object v, Args a) {
        int line = a.line();
        switch (name) {
            case "safe":
                return v;
            case "string":
                return Evaluator.stringValue(v);
            case "trim": {
                Object chars = a.get(0, "chars", null);
                return Strings.strip(Evaluator.stringValue(v), chars == null ? null : MarkedString.text(chars), true, true);
            }
            case "length":
            case "count":
                return (long) Py.len(v, line);
            case "join": {
                List<Object> items = Py.iterate(v, line);
                Object attribute = a.get(1, "attribute", null);
                if (attribute != null) items = attributes(items, attribute, line);
                return Strings.join(items, Evaluator.stringValue(a.get(0, "d", "")));
            }
            case "tojson":
                return PyJson.tojson(v, a, line);
            case "default":
            case "d": {
                Object dflt = a.get(0, "default_value", "");
                boolean bool = Py.truthy(a.get(1, "boolean", false));
                return v instanceof Undefined || (bool && !Py.truthy(v)) ? dflt : v;
            }
            case "first": {
                List<Object> items = Py.iterate(v, line);
                return items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.get(0);
            }
            case "last": {
                List<Object> items = Py.iterate(v, line);
                return items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.get(items.size() - 1);
            }
            case "list":
                return Py.iterate(v, line);
            case "items": {
                if (v instanceof Undefined) return new ArrayList<>();
                if (!(v instanceof Map<?, ?> m)) throw Py.runtime(line, "Can only get item pairs from a mapping.");
                return Methods.bind(m, "items", line).call(List.of(), Map.of(), line);
            }
            case "selectattr":
            case "rejectattr":
            case "select":
            case "reject":
                return select(name, v, a);
            case "map":
                return map(v, a);
            case "indent":
                return indent(Evaluator.stringValue(v), a);
            case "int":
                return toInt(v, a);
            case "float":
                return toFloat(v, a.get(0, "default", 0.0));
            case "lower":
                return derive(v, Py.str(v).toLowerCase());
            case "upper":
                return derive(v, Py.str(v).toUpperCase());
            case "capitalize":
                return derive(v, Strings.capitalize(Py.str(v)));
            case "title":
                return derive(v, jinjaTitle(Py.str(v)));
            case "replace": {
                Object count = a.get(2, "count", null);
                return Strings.replace(Evaluator.stringValue(v), a.get(0, "old", ""), a.get(1, "new", ""), count == null ? -1 : Py.toLong(count));
            }
            case "e":
            case "escape":
                return derive(v, escape(Py.str(v)));
            case "unique":
                return unique(v, a);
            case "reverse": {
                if (Py.isString(v)) {
                    Object out = "";
                    for (Object c : Py.iterate(v, line)) out = MarkedString.concat(c, out);
                    return out;
                }
                List<Object> items = Py.iterate(v, line);
                Collections.reverse(items);
                return items;
            }
            case "sort":
                return sort(v, a);
            case "abs": {
                if (v instanceof Double d) return Math.abs(d);
                if (Py.isNumber(v)) return Math.abs(Py.toLong(v));
                throw Py.runtime(line, "bad operand type for abs(): '" + Py.typeName(v) + "'");
            }
            default:
                throw Py.unsupported(line, "filter '" + name + "' is not supported by Kiln's chat-template interpreter");
        }
    }

    private static Object derive(Object v, String text) {
        return MarkedString.derived(text, Py.hasUntrusted(v));
    }

    /** selectattr / rejectattr (attribute, then an optional test and its arguments) and select / reject (a test). */
    private static Object select(String name, Object v, Args a) {
        boolean byAttr = name.endsWith("attr"), keep = name.startsWith("select");
        List<Object> pos = a.positional();
        int t = byAttr ? 1 : 0;
        if (byAttr && pos.isEmpty()) throw Py.runtime(a.line(), name + " needs an attribute name");
        String test = pos.size() > t ? MarkedString.text(pos.get(t)) : null;
        List<Object> testArgs = pos.size() > t + 1 ? pos.subList(t + 1, pos.size()) : List.of();
        List<Object> out = new ArrayList<>();
        for (Object item : Py.iterate(v, a.line())) {
            Object x = byAttr ? attribute(item, pos.get(0), a.line()) : item;
            boolean r = test == null ? Py.truthy(x) : Tests.test(test, x, testArgs, a.line());
            if (r == keep) out.add(item);
        }
        return out;
    }

    /** map(attribute='x', default=d) or map('filter', args...). */
    private static Object map(Object v, Args a) {
        List<Object> items = Py.iterate(v, a.line());
        if (a.keyword().containsKey("attribute")) {
            Object dflt = a.keyword().get("default");
            List<Object> out = new ArrayList<>();
            for (Object item : items) {
                Object x = attribute(item, a.keyword().get("attribute"), a.line());
                out.add(x instanceof Undefined && a.keyword().containsKey("default") ? dflt : x);
            }
            return out;
        }
        if (a.positional().isEmpty()) throw Py.runtime(a.line(), "map needs a filter name or attribute=");
        String filter = MarkedString.text(a.positional().get(0));
        Args rest = new Args(filter, a.positional().subList(1, a.positional().size()), a.keyword(), a.line());
        List<Object> out = new ArrayList<>();
        for (Object item : items) out.add(apply(filter, item, rest));
        return out;
    }

    private static List<Object> attributes(List<Object> items, Object attribute, int line) {
        List<Object> out = new ArrayList<>();
        for (Object item : items) out.add(attribute(item, attribute, line));
        return out;
    }

    /** jinja2's attribute getter: a dotted path ("function.name") or an integer index, item lookup first. */
    static Object attribute(Object item, Object attribute, int line) {
        if (attribute instanceof Long) return Access.item(item, attribute, line);
        Object x = item;
        for (String part : MarkedString.text(attribute).split("\\.")) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part) : part;
            x = Access.item(x, key, line);
        }
        return x;
    }

    private static Object indent(Object s, Args a) {
        Object w = a.get(0, "width", 4L);
        String ind = Py.isString(w) ? MarkedString.text(w) : " ".repeat((int) Py.toLong(w));
        boolean first = Py.truthy(a.get(1, "first", false)), blank = Py.truthy(a.get(2, "blank", false));
        List<Object> lines = Strings.splitlines(MarkedString.concat(s, "\n"));
        Object rv = "";
        for (int i = 0; i < lines.size(); i++) {
            Object line = lines.get(i);
            if (i > 0) rv = MarkedString.concat(rv, "\n");
            boolean indentIt = i > 0 && (blank || !MarkedString.text(line).isEmpty());
            rv = MarkedString.concat(rv, indentIt ? MarkedString.concat(ind, line) : line);
        }
        return first ? MarkedString.concat(ind, rv) : rv;
    }

    private static Object toInt(Object v, Args a) {
        Object dflt = a.get(0, "default", 0L);
        if (v instanceof Long) return v;
        if (v instanceof Boolean b) return b ? 1L : 0L;
        if (v instanceof Double d) return (long) (double) d;
        if (Py.isString(v)) {
            String t = MarkedString.text(v).trim().replace("_", "");
            int base = (int) Py.toLong(a.get(1, "base", 10L));
            try {
                return Long.parseLong(t, base);
            } catch (NumberFormatException e) {
                try {
                    return (long) Double.parseDouble(t);
                } catch (NumberFormatException e2) {
                    return dflt;
                }
            }
        }
        return dflt;
    }

    private static Object toFloat(Object v, Object dflt) {
        if (v instanceof Double) return v;
        if (Py.isNumber(v)) return (double) Py.toLong(v);
        if (Py.isString(v)) {
            try {
                return Double.parseDouble(MarkedString.text(v).trim());
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
        return dflt;
    }

    /** jinja2's title filter: upper-case the first character of each word (split at whitespace, -, brackets). */
    private static String jinjaTitle(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean start = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean sep = Strings.isSpace(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
            out.append(sep ? c : start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = sep;
        }
        return out.toString();
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&#34;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static Object unique(Object v, Args a) {
        boolean caseSensitive = Py.truthy(a.get(0, "case_sensitive", false));
        Object attribute = a.get(1, "attribute", null);
        List<Object> out = new ArrayList<>(), seen = new ArrayList<>();
        for (Object item : Py.iterate(v, a.line())) {
            Object key = attribute != null ? attribute(item, attribute, a.line()) : item;
            if (!caseSensitive && Py.isString(key)) key = MarkedString.text(key).toLowerCase();
            boolean dup = false;
            for (Object s : seen) if (Py.eq(s, key)) dup = true;
            if (!dup) {
                seen.add(key);
                out.add(item);
            }
        }
        return out;
    }

    private static Object sort(Object v, Args a) {
        boolean reverse = Py.truthy(a.get(0, "reverse", false)), caseSensitive = Py.truthy(a.get(1, "case_sensitive", false));
        Object attribute = a.get(2, "attribute", null);
        List<Object> items = Py.iterate(v, a.line());
        List<Object> sorted = new ArrayList<>(items);
        sorted.sort((x, y) -> {
            Object kx = attribute != null ? attribute(x, attribute, a.line()) : x;
            Object ky = attribute != null ? attribute(y, attribute, a.line()) : y;
            if (!caseSensitive && Py.isString(kx) && Py.isString(ky)) {
                kx = MarkedString.text(kx).toLowerCase();
                ky = MarkedString.text(ky).toLowerCase();
            }
            return Py.compare(kx, ky, "<", a.line());
        });
        if (reverse) Collections.reverse(sorted);
        return sorted;
    }
}
