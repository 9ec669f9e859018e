package dev.kiln.chat;

import java.util.List;

/** A template statement. {@code line} is the template line it starts on, for error messages. */
sealed interface Node {
    int line();

    /** Literal template text (trusted). */
    record Text(String text, int line) implements Node {}

    /** {{ expr }}: Python's str() of the value; an undefined value prints nothing. */
    record Output(Expr expr, int line) implements Node {}

    /** {% if %} / {% elif %} branches in order, then the {% else %} body (empty when none). */
    record If(List<Expr> tests, List<List<Node>> bodies, List<Node> orElse, int line) implements Node {}

    /** {% for targets in iter if filter %} body {% else %} orElse {% endfor %}; {@code filter} may be null. */
    record For(List<String> targets, Expr iter, Expr filter, List<Node> body, List<Node> orElse, int line) implements Node {}

    /** {% set name = value %}, {% set a, b = value %} or {% set ns.attr = value %} ({@code attr} null unless the last). */
    record Set(List<String> names, String attr, Expr value, int line) implements Node {}

    /** {% set name %} body {% endset %}. */
    record SetBlock(String name, List<Node> body, int line) implements Node {}

    /** {% macro name(params=defaults) %} body {% endmacro %}; a default is null for a parameter without one. */
    record Macro(String name, List<String> params, List<Expr> defaults, List<Node> body, int line) implements Node {}

    /** {% break %} or {% continue %} (the loopcontrols extension). */
    record LoopControl(boolean isBreak, int line) implements Node {}

    /** {% filter name(args) %} body {% endfilter %}. */
    record FilterBlock(Expr.Filter filter, List<Node> body, int line) implements Node {}
}
