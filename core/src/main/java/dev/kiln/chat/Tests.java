package dev.kiln.chat;

import java.util.List;
import java.util.Map;

/** jinja2's tests ({@code x is defined}, {@code x is string}, {@code n is divisibleby 3} ...). */
final class Tests {
    private Tests() {}

    static boolean test(String name, Object v, List<Object> args, int line) {
        switch (name) {
            case "defined": return !(v instanceof Undefined);
            case "undefined": return v instanceof Undefined;
            case "none": return v == null;
            case "string": return Py.isString(v);
            case "mapping": return v instanceof Map<?, ?>;
            case "number": return Py.isNumber(v);
            case "integer": return v instanceof Long;
            case "float": return v instanceof Double;
            case "boolean": return v instanceof Boolean;
            case "true": return Boolean.TRUE.equals(v);
            case "false": return Boolean.FALSE.equals(v);
            case "iterable": return v instanceof Undefined || Py.isString(v) || v instanceof List<?> || v instanceof Map<?, ?>;
            case "sequence": return Py.isString(v) || v instanceof List<?> || v instanceof Map<?, ?>;
            case "callable": return v instanceof Fn || v instanceof Undefined; // jinja2's Undefined has __call__
            case "lower": return Py.isString(v) && MarkedString.text(v).equals(MarkedString.text(v).toLowerCase());
            case "upper": return Py.isString(v) && MarkedString.text(v).equals(MarkedString.text(v).toUpperCase());
            case "odd": return integer(v, name, line) % 2 != 0;
            case "even": return integer(v, name, line) % 2 == 0;
            case "divisibleby": {
                long d = integer(arg(args, name, line), name, line);
                if (d == 0) throw Py.runtime(line, "integer division or modulo by zero");
                return integer(v, name, line) % d == 0;
            }
            case "equalto": case "eq": case "==": return Py.eq(v, arg(args, name, line));
            case "ne": case "!=": return !Py.eq(v, arg(args, name, line));
            case "lt": case "lessthan": case "<": return Py.compare(v, arg(args, name, line), "<", line) < 0;
            case "le": case "<=": return Py.compare(v, arg(args, name, line), "<=", line) <= 0;
            case "gt": case "greaterthan": case ">": return Py.compare(v, arg(args, name, line), ">", line) > 0;
            case "ge": case ">=": return Py.compare(v, arg(args, name, line), ">=", line) >= 0;
            case "in": return Access.contains(arg(args, name, line), v, line);
            case "sameas": {
                Object o = arg(args, name, line);
                return v == o || (v instanceof Boolean && v.equals(o));
            }
            default:
                throw Py.unsupported(line, "test '" + name + "' is not supported by Kiln's chat-template interpreter");
        }
    }

    private static Object arg(List<Object> args, String name, int line) {
        if (args.isEmpty()) throw Py.runtime(line, "test '" + name + "' needs an argument");
        return args.get(0);
    }

    private static long integer(Object v, String test, int line) {
        if (v instanceof Undefined u) throw u.error(line);
        if (v instanceof Long || v instanceof Boolean) return Py.toLong(v);
        if (v instanceof Double d && d == Math.rint(d)) return (long) (double) d;
        throw Py.runtime(line, "test '" + test + "' needs an integer, got " + Py.typeName(v));
    }
}
