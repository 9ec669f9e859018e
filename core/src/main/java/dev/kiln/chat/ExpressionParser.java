package dev.kiln.chat;

import dev.kiln.chat.Lexer.Kind;
import dev.kiln.chat.Lexer.Token;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Expressions by jinja2's grammar, over a token cursor the statement {@link Parser} shares. Operator precedence from
 * low to high: {@code x if c else y}, {@code or}, {@code and}, {@code not}, comparisons and {@code in}, {@code + -},
 * {@code ~}, {@code * / // %}, {@code **}, unary {@code - +}, then postfix {@code . [] ()} and filters {@code |} /
 * tests {@code is}.
 */
abstract class ExpressionParser {
    private static final Set<String> COMPARE = Set.of("==", "!=", "<", "<=", ">", ">=");

    final List<Token> tokens;
    int i; // the cursor: index of the next token

    ExpressionParser(List<Token> tokens) { this.tokens = tokens; }

    // ---- expressions ----

    /** Expressions separated by commas: one expression, or a tuple when there is a comma. */
    Expr tuple(boolean condExpr) {
        int line = peek().line();
        List<Expr> items = new ArrayList<>();
        boolean comma = false;
        while (true) {
            if (!items.isEmpty()) {
                if (!peek().isOp(",")) break;
                i++;
                comma = true;
                if (isTupleEnd()) break;
            }
            items.add(expression(condExpr));
        }
        return comma ? new Expr.TupleLit(items, line) : items.get(0);
    }

    private boolean isTupleEnd() {
        Token t = peek();
        return t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END || t.isOp(")") || t.isName("if");
    }

    Expr expression(boolean condExpr) {
        Expr e = or();
        if (!condExpr) return e;
        while (peek().isName("if")) {
            int line = next().line();
            Expr test = or();
            Expr orElse = null;
            if (peek().isName("else")) {
                i++;
                orElse = expression(true);
            }
            e = new Expr.Cond(e, test, orElse, line);
        }
        return e;
    }

    private Expr or() {
        Expr e = and();
        while (peek().isName("or")) {
            int line = next().line();
            e = new Expr.Binary("or", e, and(), line);
        }
        return e;
    }

    private Expr and() {
        Expr e = not();
        while (peek().isName("and")) {
            int line = next().line();
            e = new Expr.Binary("and", e, not(), line);
        }
        return e;
    }

    private Expr not() {
        if (peek().isName("not")) {
            int line = next().line();
            return new Expr.Unary("not", not(), line);
        }
        return compare();
    }

    /** a < b < c means a < b and b < c, as in Python. */
    private Expr compare() {
        Expr left = math1(), result = null;
        while (true) {
            Token t = peek();
            String op;
            if (t.kind() == Kind.OP && COMPARE.contains(t.value())) op = t.value();
            else if (t.isName("in")) op = "in";
            else if (t.isName("not") && tokens.get(i + 1).isName("in")) op = "not in";
            else break;
            i += op.equals("not in") ? 2 : 1;
            Expr right = math1();
            Expr c = new Expr.Binary(op, left, right, t.line());
            result = result == null ? c : new Expr.Binary("and", result, c, t.line());
            left = right;
        }
        return result == null ? left : result;
    }

    private Expr math1() {
        Expr e = concat();
        while (peek().isOp("+") || peek().isOp("-")) {
            Token t = next();
            e = new Expr.Binary(t.value(), e, concat(), t.line());
        }
        return e;
    }

    private Expr concat() {
        Expr e = math2();
        while (peek().isOp("~")) {
            Token t = next();
            e = new Expr.Binary("~", e, math2(), t.line());
        }
        return e;
    }

    private Expr math2() {
        Expr e = pow();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
            Token t = next();
            e = new Expr.Binary(t.value(), e, pow(), t.line());
        }
        return e;
    }

    private Expr pow() {
        Expr e = unary(true);
        while (peek().isOp("**")) {
            Token t = next();
            e = new Expr.Binary("**", e, unary(true), t.line());
        }
        return e;
    }

    private Expr unary(boolean withFilter) {
        Token t = peek();
        Expr e;
        if (t.isOp("-") || t.isOp("+")) {
            i++;
            e = new Expr.Unary(t.value(), unary(false), t.line());
        } else {
            e = primary();
        }
        e = postfix(e);
        return withFilter ? filterExpr(e) : e;
    }

    private Expr primary() {
        Token t = next();
        int line = t.line();
        switch (t.kind()) {
            case NAME -> {
                return switch (t.value()) {
                    case "true", "True" -> new Expr.Const(Boolean.TRUE, line);
                    case "false", "False" -> new Expr.Const(Boolean.FALSE, line);
                    case "none", "None" -> new Expr.Const(null, line);
                    default -> new Expr.Name(t.value(), line);
                };
            }
            case STRING -> {
                StringBuilder s = new StringBuilder(t.value());
                while (peek().kind() == Kind.STRING) s.append(next().value()); // adjacent literals join
                return new Expr.Const(s.toString(), line);
            }
            case INT -> { return new Expr.Const(Long.parseLong(t.value()), line); }
            case FLOAT -> { return new Expr.Const(Double.parseDouble(t.value()), line); }
            case OP -> {
                switch (t.value()) {
                    case "(" -> {
                        if (peek().isOp(")")) {
                            i++;
                            return new Expr.TupleLit(List.of(), line);
                        }
                        Expr e = tuple(true);
                        expectOp(")");
                        return e;
                    }
                    case "[" -> {
                        List<Expr> items = new ArrayList<>();
                        while (!peek().isOp("]")) {
                            if (!items.isEmpty()) expectOp(",");
                            if (peek().isOp("]")) break;
                            items.add(expression(true));
                        }
                        i++;
                        return new Expr.ListLit(items, line);
                    }
                    case "{" -> {
                        List<Expr> keys = new ArrayList<>(), values = new ArrayList<>();
                        while (!peek().isOp("}")) {
                            if (!keys.isEmpty()) expectOp(",");
                            if (peek().isOp("}")) break;
                            keys.add(expression(true));
                            expectOp(":");
                            values.add(expression(true));
                        }
                        i++;
                        return new Expr.DictLit(keys, values, line);
                    }
                    default -> throw syntax(t, "unexpected '" + t.value() + "'");
                }
            }
            default -> throw syntax(t, t.kind() == Kind.EOF ? "unexpected end of template" : "unexpected end of tag, expected an expression");
        }
    }

    Expr postfix(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOp(".")) {
                i++;
                Token n = next();
                if (n.kind() == Kind.NAME) e = new Expr.Attr(e, n.value(), t.line());
                else if (n.kind() == Kind.INT) e = new Expr.Item(e, new Expr.Const(Long.parseLong(n.value()), t.line()), t.line());
                else throw syntax(n, "expected an attribute name after '.'");
            } else if (t.isOp("[")) {
                i++;
                e = subscript(e, t.line());
            } else if (t.isOp("(")) {
                e = call(e);
            } else {
                return e;
            }
        }
    }

    private Expr subscript(Expr obj, int line) {
        Expr[] parts = new Expr[3];
        int part = 0;
        boolean slice = false;
        while (!peek().isOp("]")) {
            if (peek().isOp(":")) {
                i++;
                slice = true;
                if (++part > 2) throw syntax(peek(), "too many ':' in a slice");
                continue;
            }
            if (parts[part] != null) throw syntax(peek(), "expected ']' or ':'");
            parts[part] = expression(true);
        }
        i++;
        if (!slice) {
            if (parts[0] == null) throw syntax(peek(), "empty subscript '[]'");
            return new Expr.Item(obj, parts[0], line);
        }
        return new Expr.Slice(obj, parts[0], parts[1], parts[2], line);
    }

    private Expr call(Expr fn) {
        int line = next().line(); // (
        List<Expr> args = new ArrayList<>(), kwValues = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        arguments(args, kwNames, kwValues);
        return new Expr.Call(fn, args, kwNames, kwValues, line);
    }

    /** Call arguments after '(' up to and including ')'. */
    private void arguments(List<Expr> args, List<String> kwNames, List<Expr> kwValues) {
        boolean first = true;
        while (!peek().isOp(")")) {
            if (!first) expectOp(",");
            first = false;
            if (peek().isOp(")")) break;
            if (peek().isOp("*") || peek().isOp("**")) {
                throw new TemplateException(TemplateException.Kind.UNSUPPORTED, peek().line(), "*args and **kwargs in calls are not supported");
            }
            if (peek().kind() == Kind.NAME && tokens.get(i + 1).isOp("=")) {
                kwNames.add(next().value());
                i++;
                kwValues.add(expression(true));
            } else {
                if (!kwNames.isEmpty()) throw syntax(peek(), "a positional argument follows a keyword argument");
                args.add(expression(true));
            }
        }
        i++;
    }

    private Expr filterExpr(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOp("|")) {
                i++;
                e = filter(e);
            } else if (t.isName("is")) {
                i++;
                e = test(e, t.line());
            } else if (t.isOp("(")) {
                e = call(e);
            } else {
                return e;
            }
        }
    }

    Expr.Filter filter(Expr value) {
        Token n = next();
        if (n.kind() != Kind.NAME) throw syntax(n, "expected a filter name after '|'");
        List<Expr> args = new ArrayList<>(), kwValues = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        if (peek().isOp("(")) {
            i++;
            arguments(args, kwNames, kwValues);
        }
        return new Expr.Filter(value, n.value(), args, kwNames, kwValues, n.line());
    }

    private Expr test(Expr value, int line) {
        boolean negated = false;
        if (peek().isName("not")) {
            i++;
            negated = true;
        }
        Token n = next();
        if (n.kind() != Kind.NAME) throw syntax(n, "expected a test name after 'is'");
        List<Expr> args = new ArrayList<>();
        Token t = peek();
        if (t.isOp("(")) {
            i++;
            List<String> kwNames = new ArrayList<>();
            arguments(args, kwNames, new ArrayList<>());
            if (!kwNames.isEmpty()) throw syntax(t, "keyword arguments to tests are not supported");
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INT || t.kind() == Kind.FLOAT
                || t.isOp("[") || t.isOp("{") || t.isOp("(")) && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) throw syntax(t, "tests cannot be chained with 'is'");
            args.add(postfix(primary()));
        }
        return new Expr.Test(value, n.value(), args, negated, line);
    }

    // ---- tokens ----

    Token peek() { return tokens.get(i); }

    Token next() { return tokens.get(i++); }

    String name() {
        Token t = next();
        if (t.kind() != Kind.NAME) throw syntax(t, "expected a name, got " + describe(t));
        return t.value();
    }

    void expect(Kind kind, String what) {
        Token t = next();
        if (t.kind() != kind) throw syntax(t, "expected " + what + ", got " + describe(t));
    }

    void expectOp(String op) {
        Token t = next();
        if (!t.isOp(op)) throw syntax(t, "expected '" + op + "', got " + describe(t));
    }

    private static String describe(Token t) {
        return switch (t.kind()) {
            case EOF -> "the end of the template";
            case BLOCK_END -> "'%}'";
            case VAR_END -> "'}}'";
            case TEXT -> "template text";
            case STRING -> "a string";
            default -> "'" + t.value() + "'";
        };
    }

    TemplateException syntax(Token t, String message) {
        return new TemplateException(TemplateException.Kind.SYNTAX, t.line(), message);
    }
}
