package dev.kiln.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Python methods chat templates call on strings and dicts ({@code content.strip()}, {@code message.get('x')}).
 * Methods that would modify a value are refused, as transformers' immutable sandbox refuses them.
 */
final class Methods {
    private Methods() {}

    private static final Set<String> MUTATING = Set.of("append", "extend", "insert", "pop", "remove", "clear", "update",
            "setdefault", "popitem", "sort", "reverse");

    /** The bound method {@code obj.name}, or null when the value has no such method. */
    static Fn bind(Object obj, String name, int line) {
        if (Py.isString(obj)) return stringMethod(obj, name);
        if (obj instanceof Map<?, ?> m) return dictMethod(m, name);
        if (obj instanceof List<?> && MUTATING.contains(name)) {
            return (args, kwargs, l) -> {
                throw Py.runtime(l, "list." + name + "() would modify the list, which the sandbox forbids (use a namespace or a new list)");
            };
        }
        return null;
    }

    private static Fn dictMethod(Map<?, ?> m, String name) {
        switch (name) {
            case "items":
                return (args, kwargs, line) -> {
                    List<Object> out = new ArrayList<>();
                    for (Map.Entry<?, ?> e : m.entrySet()) out.add(new Tuple(Arrays.asList(keyValue(m, e.getKey()), e.getValue())));
                    return new Tuple.DictView("dict_items", out);
                };
            case "keys":
                return (args, kwargs, line) -> {
                    List<Object> out = new ArrayList<>();
                    for (Object k : m.keySet()) out.add(keyValue(m, k));
                    return new Tuple.DictView("dict_keys", out);
                };
            case "values":
                return (args, kwargs, line) -> new Tuple.DictView("dict_values", m.values());
            case "get":
                return (args, kwargs, line) -> {
                    Object k = Access.key(arg(args, 0, null, line, "get"));
                    return m.containsKey(k) ? m.get(k) : args.size() > 1 ? args.get(1) : null;
                };
            default:
                if (MUTATING.contains(name)) {
                    return (args, kwargs, line) -> {
                        throw Py.runtime(line, "dict." + name + "() would modify the dict, which the sandbox forbids (use a namespace)");
                    };
                }
                return null;
        }
    }

    static Object keyValue(Map<?, ?> m, Object k) {
        return m instanceof InputDict d ? d.key(k) : k;
    }

    private static Fn stringMethod(Object s, String name) {
        String t = MarkedString.text(s);
        boolean marked = MarkedString.isMarked(s);
        switch (name) {
            case "strip": return (args, kw, line) -> Strings.strip(s, chars(args, line), true, true);
            case "lstrip": return (args, kw, line) -> Strings.strip(s, chars(args, line), true, false);
            case "rstrip": return (args, kw, line) -> Strings.strip(s, chars(args, line), false, true);
            case "split": return (args, kw, line) -> Strings.split(s, sep(args, kw, line), maxsplit(args, kw, line));
            case "startswith": return (args, kw, line) -> affix(t, arg(args, 0, null, line, name), true, line);
            case "endswith": return (args, kw, line) -> affix(t, arg(args, 0, null, line, name), false, line);
            case "upper": return (args, kw, line) -> MarkedString.derived(t.toUpperCase(), marked);
            case "lower": return (args, kw, line) -> MarkedString.derived(t.toLowerCase(), marked);
            case "title": return (args, kw, line) -> MarkedString.derived(Strings.pyTitle(t), marked);
            case "capitalize": return (args, kw, line) -> MarkedString.derived(Strings.capitalize(t), marked);
            case "replace":
                return (args, kw, line) -> {
                    Object old = arg(args, 0, null, line, name), rep = arg(args, 1, null, line, name);
                    long count = args.size() > 2 ? Py.toLong(args.get(2)) : -1;
                    return Strings.replace(s, old, rep, count);
                };
            case "find":
                return (args, kw, line) -> (long) t.indexOf(MarkedString.text(arg(args, 0, null, line, name)));
            case "count":
                return (args, kw, line) -> {
                    String sub = MarkedString.text(arg(args, 0, null, line, name));
                    if (sub.isEmpty()) return (long) t.codePointCount(0, t.length()) + 1;
                    long n = 0;
                    for (int k = t.indexOf(sub); k >= 0; k = t.indexOf(sub, k + sub.length())) n++;
                    return n;
                };
            case "join":
                return (args, kw, line) -> Strings.join(Py.iterate(arg(args, 0, null, line, name), line), s);
            case "splitlines":
                return (args, kw, line) -> Strings.splitlines(s);
            case "isdigit":
                return (args, kw, line) -> !t.isEmpty() && t.chars().allMatch(Character::isDigit);
            case "format":
                return (args, kw, line) -> {
                    throw Py.unsupported(line, "str.format() is not supported by Kiln's chat-template interpreter; use ~ to join strings");
                };
            default: return null;
        }
    }

    private static Object affix(String t, Object prefix, boolean start, int line) {
        List<Object> options = prefix instanceof List<?> l ? new ArrayList<>(l) : Arrays.asList(prefix);
        for (Object o : options) {
            if (!Py.isString(o)) throw Py.runtime(line, (start ? "startswith" : "endswith") + " first arg must be str or a tuple of str");
            String p = MarkedString.text(o);
            if (start ? t.startsWith(p) : t.endsWith(p)) return true;
        }
        return false;
    }

    private static String chars(List<Object> args, int line) {
        if (args.isEmpty() || args.get(0) == null) return null;
        if (!Py.isString(args.get(0))) throw Py.runtime(line, "strip arg must be None or str");
        return MarkedString.text(args.get(0));
    }

    private static String sep(List<Object> args, Map<String, Object> kw, int line) {
        Object v = !args.isEmpty() ? args.get(0) : kw.get("sep");
        if (v == null) return null;
        String s = MarkedString.text(v);
        if (s.isEmpty()) throw Py.runtime(line, "empty separator");
        return s;
    }

    private static long maxsplit(List<Object> args, Map<String, Object> kw, int line) {
        Object v = args.size() > 1 ? args.get(1) : kw.get("maxsplit");
        return v == null ? -1 : Py.toLong(v);
    }

    static Object arg(List<Object> args, int i, Object dflt, int line, String what) {
        if (i < args.size()) return args.get(i);
        if (dflt != null) return dflt;
        throw Py.runtime(line, what + "() is missing argument " + (i + 1));
    }
}
