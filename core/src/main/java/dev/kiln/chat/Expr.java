package dev.kiln.chat;

import java.util.List;

/** A template expression. {@code line} is the template line it is on, for error messages. */
sealed interface Expr {
    int line();

    /** A literal: String, Long, Double, Boolean or null (none). */
    record Const(Object value, int line) implements Expr {}

    record Name(String name, int line) implements Expr {}

    /** obj.name: an attribute first, then an item (jinja2's getattr). */
    record Attr(Expr obj, String name, int line) implements Expr {}

    /** obj[key]: an item first, then an attribute (jinja2's getitem). */
    record Item(Expr obj, Expr key, int line) implements Expr {}

    /** obj[start:stop:step]; absent parts are null. */
    record Slice(Expr obj, Expr start, Expr stop, Expr step, int line) implements Expr {}

    record Call(Expr fn, List<Expr> args, List<String> kwNames, List<Expr> kwValues, int line) implements Expr {}

    /** value | name(args); {@code value} is null inside a {% filter %} block's head. */
    record Filter(Expr value, String name, List<Expr> args, List<String> kwNames, List<Expr> kwValues, int line) implements Expr {}

    /** value is [not] name(args). */
    record Test(Expr value, String name, List<Expr> args, boolean negated, int line) implements Expr {}

    /** -x, +x, not x. */
    record Unary(String op, Expr operand, int line) implements Expr {}

    /** Arithmetic (+ - * / // % **), ~ concatenation, and / or, and one comparison (== != < <= > >= in, not in). */
    record Binary(String op, Expr left, Expr right, int line) implements Expr {}

    /** then if test else orElse; {@code orElse} null gives an undefined value when the test fails. */
    record Cond(Expr then, Expr test, Expr orElse, int line) implements Expr {}

    record ListLit(List<Expr> items, int line) implements Expr {}

    record TupleLit(List<Expr> items, int line) implements Expr {}

    record DictLit(List<Expr> keys, List<Expr> values, int line) implements Expr {}
}
