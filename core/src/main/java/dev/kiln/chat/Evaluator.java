package dev.kiln.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a parsed template: statements write to an {@link Output}, expressions evaluate to Python-like values. */
final class Evaluator {
    private static final int MAX_MACRO_DEPTH = 100;

    private enum Flow { NORMAL, BREAK, CONTINUE }

    private int macroDepth;
    private int line = 1; // of the statement being run, for errors that are not the template's own

    /** The line of the statement running now (or when rendering failed). */
    int line() { return line; }

    void render(List<Node> nodes, Scope scope, Output out) {
        exec(nodes, scope, out); // the parser allows break and continue only inside for loops
    }

    private Flow exec(List<Node> nodes, Scope scope, Output out) {
        for (Node node : nodes) {
            Flow f = exec(node, scope, out);
            if (f != Flow.NORMAL) return f;
        }
        return Flow.NORMAL;
    }

    private Flow exec(Node node, Scope scope, Output out) {
        line = node.line();
        if (node instanceof Node.Text t) {
            out.append(t.text());
        } else if (node instanceof Node.Output o) {
            Object v = eval(o.expr(), scope);
            if (!(v instanceof Undefined)) out.append(stringValue(v));
        } else if (node instanceof Node.If n) {
            for (int i = 0; i < n.tests().size(); i++) {
                if (Py.truthy(eval(n.tests().get(i), scope))) return exec(n.bodies().get(i), scope, out);
            }
            return exec(n.orElse(), scope, out);
        } else if (node instanceof Node.For n) {
            forLoop(n, scope, out);
        } else if (node instanceof Node.Set n) {
            Object v = eval(n.value(), scope);
            if (n.attr() != null) {
                Object target = scope.get(n.names().get(0));
                if (!(target instanceof Namespace ns)) {
                    throw Py.runtime(n.line(), "cannot assign attribute on non-namespace object '" + n.names().get(0) + "'");
                }
                ns.attrs.put(n.attr(), v);
            } else {
                assign(n.names(), v, scope, n.line());
            }
        } else if (node instanceof Node.SetBlock n) {
            Output body = new Output();
            render(n.body(), scope, body);
            scope.set(n.name(), body.value());
        } else if (node instanceof Node.Macro n) {
            scope.set(n.name(), new MacroFn(n, scope));
        } else if (node instanceof Node.LoopControl n) {
            return n.isBreak() ? Flow.BREAK : Flow.CONTINUE;
        } else if (node instanceof Node.FilterBlock n) {
            Output body = new Output();
            render(n.body(), scope, body);
            out.append(stringValue(Filters.apply(this, n.filter(), body.value(), scope)));
        } else {
            throw new IllegalStateException("unhandled node " + node);
        }
        return Flow.NORMAL;
    }

    private void forLoop(Node.For n, Scope scope, Output out) {
        List<Object> items = Py.iterate(eval(n.iter(), scope), n.line());
        if (n.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope s = new Scope(scope);
                assign(n.targets(), item, s, n.line());
                if (Py.truthy(eval(n.filter(), s))) kept.add(item);
            }
            items = kept;
        }
        if (items.isEmpty()) {
            exec(n.orElse(), new Scope(scope), out);
            return;
        }
        Loop loop = new Loop(items);
        for (int i = 0; i < items.size(); i++) {
            loop.index0 = i;
            Scope s = new Scope(scope);
            s.set("loop", loop);
            assign(n.targets(), items.get(i), s, n.line());
            if (exec(n.body(), s, out) == Flow.BREAK) break;
        }
    }

    /** Binds one name, or unpacks a list or tuple into several. */
    private static void assign(List<String> names, Object v, Scope scope, int line) {
        if (names.size() == 1) {
            scope.set(names.get(0), v);
            return;
        }
        if (!(v instanceof List<?> l) || l.size() != names.size()) {
            throw Py.runtime(line, "cannot unpack " + Py.typeName(v) + " into " + names.size() + " names " + names);
        }
        for (int i = 0; i < names.size(); i++) scope.set(names.get(i), l.get(i));
    }

    /** A value as a string value for output or ~: strings keep their marks, other values print as Python's str(). */
    static Object stringValue(Object v) {
        if (Py.isString(v)) return v;
        return MarkedString.derived(Py.str(v), Py.hasUntrusted(v));
    }

    // ---- expressions ----

    Object eval(Expr e, Scope scope) {
        if (e instanceof Expr.Const c) return c.value();
        if (e instanceof Expr.Name n) return scope.get(n.name());
        if (e instanceof Expr.Attr a) return Access.attr(eval(a.obj(), scope), a.name(), a.line());
        if (e instanceof Expr.Item it) return Access.item(eval(it.obj(), scope), eval(it.key(), scope), it.line());
        if (e instanceof Expr.Slice s) {
            return Access.slice(eval(s.obj(), scope), optional(s.start(), scope), optional(s.stop(), scope), optional(s.step(), scope), s.line());
        }
        if (e instanceof Expr.Call c) return call(c, scope);
        if (e instanceof Expr.Filter f) return Filters.apply(this, f, eval(f.value(), scope), scope);
        if (e instanceof Expr.Test t) {
            List<Object> args = new ArrayList<>();
            for (Expr a : t.args()) args.add(eval(a, scope));
            return Tests.test(t.name(), eval(t.value(), scope), args, t.line()) != t.negated();
        }
        if (e instanceof Expr.Unary u) return unary(u, scope);
        if (e instanceof Expr.Binary b) return binary(b, scope);
        if (e instanceof Expr.Cond c) {
            if (Py.truthy(eval(c.test(), scope))) return eval(c.then(), scope);
            return c.orElse() != null ? eval(c.orElse(), scope)
                    : new Undefined("the inline if-expression on line " + c.line() + " evaluated to false and no else section was defined");
        }
        if (e instanceof Expr.ListLit l) return evalAll(l.items(), scope);
        if (e instanceof Expr.TupleLit l) return new Tuple(evalAll(l.items(), scope));
        if (e instanceof Expr.DictLit d) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < d.keys().size(); i++) out.put(Access.key(eval(d.keys().get(i), scope)), eval(d.values().get(i), scope));
            return out;
        }
        throw new IllegalStateException("unhandled expression " + e);
    }

    private List<Object> evalAll(List<Expr> items, Scope scope) {
        List<Object> out = new ArrayList<>();
        for (Expr x : items) out.add(eval(x, scope));
        return out;
    }

    private Object optional(Expr e, Scope scope) {
        return e == null ? null : eval(e, scope);
    }

    private Object call(Expr.Call c, Scope scope) {
        Object fn = eval(c.fn(), scope);
        List<Object> args = new ArrayList<>();
        for (Expr a : c.args()) args.add(eval(a, scope));
        Map<String, Object> kwargs = new LinkedHashMap<>();
        for (int i = 0; i < c.kwNames().size(); i++) kwargs.put(c.kwNames().get(i), eval(c.kwValues().get(i), scope));
        if (fn instanceof Undefined u) throw u.error(c.line());
        if (!(fn instanceof Fn f)) throw Py.runtime(c.line(), "'" + Py.typeName(fn) + "' object is not callable");
        return f.call(args, kwargs, c.line());
    }

    private Object unary(Expr.Unary u, Scope scope) {
        Object v = eval(u.operand(), scope);
        if (u.op().equals("not")) return !Py.truthy(v);
        if (v instanceof Undefined un) throw un.error(u.line());
        if (!Py.isNumber(v)) throw Py.runtime(u.line(), "bad operand type for unary " + u.op() + ": '" + Py.typeName(v) + "'");
        if (u.op().equals("+")) return v instanceof Boolean ? Py.toLong(v) : v;
        return v instanceof Double d ? (Object) (-d) : (Object) (-Py.toLong(v));
    }

    private Object binary(Expr.Binary b, Scope scope) {
        switch (b.op()) {
            case "and" -> {
                Object l = eval(b.left(), scope);
                return Py.truthy(l) ? eval(b.right(), scope) : l;
            }
            case "or" -> {
                Object l = eval(b.left(), scope);
                return Py.truthy(l) ? l : eval(b.right(), scope);
            }
            default -> { }
        }
        Object l = eval(b.left(), scope), r = eval(b.right(), scope);
        return switch (b.op()) {
            case "==" -> Py.eq(l, r);
            case "!=" -> !Py.eq(l, r);
            case "<" -> Py.compare(l, r, "<", b.line()) < 0;
            case "<=" -> Py.compare(l, r, "<=", b.line()) <= 0;
            case ">" -> Py.compare(l, r, ">", b.line()) > 0;
            case ">=" -> Py.compare(l, r, ">=", b.line()) >= 0;
            case "in" -> Access.contains(r, l, b.line());
            case "not in" -> !Access.contains(r, l, b.line());
            case "~" -> MarkedString.concat(stringValue(l), stringValue(r));
            default -> Arithmetic.apply(b.op(), l, r, b.line());
        };
    }

    /** A {% macro %}: called with positional and keyword arguments, it renders its body to a string value. */
    private final class MacroFn implements Fn {
        private final Node.Macro def;
        private final Scope closure;

        MacroFn(Node.Macro def, Scope closure) {
            this.def = def;
            this.closure = closure;
        }

        @Override
        public Object call(List<Object> args, Map<String, Object> kwargs, int line) {
            List<String> params = def.params();
            if (args.size() > params.size()) {
                throw Py.runtime(line, "macro '" + def.name() + "' takes not more than " + params.size() + " argument(s)");
            }
            Scope s = new Scope(closure);
            for (int i = 0; i < params.size(); i++) {
                String p = params.get(i);
                Object v;
                if (i < args.size()) v = args.get(i);
                else if (kwargs.containsKey(p)) v = kwargs.remove(p);
                else if (def.defaults().get(i) != null) v = eval(def.defaults().get(i), s);
                else v = new Undefined("parameter '" + p + "' was not provided");
                s.set(p, v);
            }
            if (!kwargs.isEmpty()) {
                throw Py.runtime(line, "macro '" + def.name() + "' takes no keyword argument '" + kwargs.keySet().iterator().next() + "'");
            }
            if (++macroDepth > MAX_MACRO_DEPTH) {
                throw Py.runtime(line, "macro '" + def.name() + "' nested deeper than " + MAX_MACRO_DEPTH + " calls (endless recursion?)");
            }
            try {
                Output out = new Output();
                render(def.body(), s, out);
                return out.value();
            } finally {
                macroDepth--;
            }
        }
    }
}
