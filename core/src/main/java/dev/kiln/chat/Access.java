package dev.kiln.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Attribute, item and slice access with jinja2's rules: {@code obj.name} tries an attribute (a method) first and then
 * an item; {@code obj[key]} tries an item first and then an attribute; a miss is an {@link Undefined}, and any access on
 * an undefined value is an error.
 */
final class Access {
    private Access() {}

    /** A dict key: strings are keyed by their text, so a marked and a plain string find the same entry. */
    static Object key(Object k) {
        return Py.isString(k) ? MarkedString.text(k) : k instanceof Integer i ? (Object) (long) i : k;
    }

    static Object attr(Object obj, String name, int line) {
        if (obj instanceof Undefined u) throw u.error(line);
        if (obj instanceof Namespace ns) {
            return ns.attrs.containsKey(name) ? ns.attrs.get(name) : new Undefined("'Namespace object' has no attribute '" + name + "'");
        }
        if (obj instanceof Loop loop) return loop.attr(name);
        Fn method = Methods.bind(obj, name, line);
        if (method != null) return method;
        if (obj instanceof Map<?, ?> m && m.containsKey(name)) return m.get(name);
        return new Undefined("'" + describe(obj) + "' has no attribute '" + name + "'");
    }

    static Object item(Object obj, Object key, int line) {
        if (obj instanceof Undefined u) throw u.error(line);
        if (key instanceof Undefined u) throw u.error(line);
        if (obj instanceof Map<?, ?> m) {
            Object k = key(key);
            if (m.containsKey(k)) return m.get(k);
        } else if ((obj instanceof List<?> || Py.isString(obj)) && (key instanceof Long || key instanceof Boolean)) {
            int n = Py.len(obj, line);
            long i = Py.toLong(key);
            if (i < 0) i += n;
            if (i < 0 || i >= n) return new Undefined("'" + describe(obj) + "' has no element " + key);
            if (obj instanceof List<?> l) return l.get((int) i);
            String s = MarkedString.text(obj);
            int from = s.offsetByCodePoints(0, (int) i);
            return MarkedString.sub(obj, from, s.offsetByCodePoints(from, 1));
        }
        if (Py.isString(key)) return attr(obj, MarkedString.text(key), line);
        return new Undefined("'" + describe(obj) + "' has no element " + Py.repr(key));
    }

    /** obj[start:stop:step] for lists and strings, as Python's slice.indices computes the positions. */
    static Object slice(Object obj, Object start, Object stop, Object step, int line) {
        if (obj instanceof Undefined u) throw u.error(line);
        if (!(obj instanceof List<?>) && !Py.isString(obj)) throw Py.runtime(line, "'" + Py.typeName(obj) + "' object is not subscriptable");
        long st = step == null ? 1 : index(step, line);
        if (st == 0) throw Py.runtime(line, "slice step cannot be zero");
        if (st == 1 && Py.isString(obj)) { // the common case, content[:-1]: one substring, marks kept exactly
            String s = MarkedString.text(obj);
            int n = s.codePointCount(0, s.length());
            long a = bound(start, 0, n, 1, line), b = Math.max(a, bound(stop, n, n, 1, line));
            int from = s.offsetByCodePoints(0, (int) a);
            return MarkedString.sub(obj, from, s.offsetByCodePoints(from, (int) (b - a)));
        }
        List<Object> items = obj instanceof List<?> l ? new ArrayList<>(l) : Py.iterate(obj, line);
        int n = items.size();
        long a = bound(start, st < 0 ? n - 1 : 0, n, st, line), b = bound(stop, st < 0 ? -1 : n, n, st, line);
        List<Object> out = new ArrayList<>();
        for (long i = a; st > 0 ? i < b : i > b; i += st) out.add(items.get((int) i));
        if (obj instanceof List<?>) return out;
        Object s = "";
        for (Object c : out) s = MarkedString.concat(s, c);
        return s;
    }

    private static long bound(Object v, long dflt, int n, long step, int line) {
        if (v == null) return dflt;
        long i = index(v, line);
        if (i < 0) {
            i += n;
            if (i < 0) i = step < 0 ? -1 : 0;
        } else if (i >= n) {
            i = step < 0 ? n - 1 : n;
        }
        return i;
    }

    private static long index(Object v, int line) {
        if (v instanceof Long || v instanceof Boolean) return Py.toLong(v);
        if (v instanceof Undefined u) throw u.error(line);
        throw Py.runtime(line, "slice indices must be integers or None, not " + Py.typeName(v));
    }

    /** Python's {@code needle in container}. */
    static boolean contains(Object container, Object needle, int line) {
        if (container instanceof Undefined) return false;
        if (Py.isString(container)) {
            if (!Py.isString(needle)) throw Py.runtime(line, "'in <string>' requires string as left operand, not " + Py.typeName(needle));
            return MarkedString.text(container).contains(MarkedString.text(needle));
        }
        if (container instanceof List<?> l) {
            for (Object o : l) if (Py.eq(o, needle)) return true;
            return false;
        }
        if (container instanceof Map<?, ?> m) return m.containsKey(key(needle));
        throw Py.runtime(line, "argument of type '" + Py.typeName(container) + "' is not iterable");
    }

    /** How jinja2 names an object in "has no attribute" messages. */
    static String describe(Object obj) {
        if (obj == null) return "None";
        return Py.typeName(obj) + " object";
    }
}
