package dev.kiln.chat;

import java.util.ArrayList;
import java.util.List;

/** Python's + - * / // % ** on template values. */
final class Arithmetic {
    private Arithmetic() {}

    static Object apply(String op, Object l, Object r, int line) {
        if (l instanceof Undefined u) throw u.error(line);
        if (r instanceof Undefined u) throw u.error(line);
        if (Py.isNumber(l) && Py.isNumber(r)) return numbers(op, l, r, line);
        if (op.equals("+") && Py.isString(l) && Py.isString(r)) return MarkedString.concat(l, r);
        if (op.equals("+") && l instanceof List<?> a && r instanceof List<?> b) {
            List<Object> out = new ArrayList<>(a);
            out.addAll(b);
            return out;
        }
        if (op.equals("*") && (l instanceof Long || r instanceof Long)) {
            Object seq = l instanceof Long ? r : l;
            long times = Py.toLong(l instanceof Long ? l : r);
            if (Py.isString(seq)) {
                Object out = "";
                for (long i = 0; i < times; i++) out = MarkedString.concat(out, seq);
                return out;
            }
            if (seq instanceof List<?> list) {
                List<Object> out = new ArrayList<>();
                for (long i = 0; i < times; i++) out.addAll(list);
                return out;
            }
        }
        if (op.equals("%") && Py.isString(l)) {
            throw Py.unsupported(line, "printf-style string formatting ('...' % value) is not supported; use ~ or the format filter");
        }
        throw Py.runtime(line, "unsupported operand type(s) for " + op + ": '" + Py.typeName(l) + "' and '" + Py.typeName(r) + "'");
    }

    private static Object numbers(String op, Object l, Object r, int line) {
        boolean real = l instanceof Double || r instanceof Double;
        if (op.equals("/")) {
            double d = Py.toDouble(r);
            if (d == 0) throw Py.runtime(line, "division by zero");
            return Py.toDouble(l) / d;
        }
        if (real) {
            double a = Py.toDouble(l), b = Py.toDouble(r);
            switch (op) {
                case "+": return a + b;
                case "-": return a - b;
                case "*": return a * b;
                case "**": return Math.pow(a, b);
                default:
                    if (b == 0) throw Py.runtime(line, "float division by zero");
                    double q = Math.floor(a / b);
                    return op.equals("//") ? q : a - q * b;
            }
        }
        long a = Py.toLong(l), b = Py.toLong(r);
        switch (op) {
            case "+": return a + b;
            case "-": return a - b;
            case "*": return a * b;
            case "**":
                if (b < 0) return Math.pow(a, b);
                long p = 1;
                for (long i = 0; i < b; i++) p *= a;
                return p;
            default:
                if (b == 0) throw Py.runtime(line, "integer division or modulo by zero");
                return op.equals("//") ? Math.floorDiv(a, b) : Math.floorMod(a, b);
        }
    }
}
