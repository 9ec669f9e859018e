package dev.kiln.chat;

import dev.kiln.chat.Lexer.Kind;
import dev.kiln.chat.Lexer.Token;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Tokens to a statement tree, by jinja2's grammar: text, {{ output }}, and the tags if / for / set / macro / filter /
 * generation / break / continue (expressions: {@link ExpressionParser}).
 */
final class Parser extends ExpressionParser {
    private static final Set<String> UNSUPPORTED_TAGS = Set.of("include", "import", "from", "extends", "block", "call",
            "with", "autoescape", "do", "trans");

    private int loops; // for loops around the statement being parsed (a macro body starts again at 0)

    private Parser(List<Token> tokens) { super(tokens); }

    static List<Node> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        List<Node> body = p.body(Set.of());
        Token t = p.peek();
        if (t.kind() != Kind.EOF) throw p.syntax(t, "unexpected '" + p.tagName() + "' without an opening tag");
        return body;
    }

    // ---- statements ----

    /** Statements until EOF or a block tag whose name is in {@code ends} (left unconsumed). */
    private List<Node> body(Set<String> ends) {
        List<Node> out = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case EOF -> {
                    if (!ends.isEmpty()) throw syntax(t, "unexpected end of template, expected one of " + ends);
                    return out;
                }
                case TEXT -> {
                    i++;
                    out.add(new Node.Text(t.value(), t.line()));
                }
                case VAR_BEGIN -> {
                    i++;
                    Expr e = tuple(true);
                    expect(Kind.VAR_END, "'}}'");
                    out.add(new Node.Output(e, t.line()));
                }
                case BLOCK_BEGIN -> {
                    if (ends.contains(tagName())) return out;
                    i++;
                    out.addAll(statement());
                }
                default -> throw syntax(t, "unexpected '" + t.value() + "'");
            }
        }
    }

    /** The name of the block tag at the cursor (which is on its '{%'). */
    private String tagName() {
        return tokens.get(i + 1).value();
    }

    private List<Node> statement() {
        Token t = next();
        if (t.kind() != Kind.NAME) throw syntax(t, "expected a tag name after '{%'");
        int line = t.line();
        switch (t.value()) {
            case "if" -> { return List.of(ifStatement(line)); }
            case "for" -> { return List.of(forStatement(line)); }
            case "set" -> { return List.of(setStatement(line)); }
            case "macro" -> { return List.of(macroStatement(line)); }
            case "break", "continue" -> {
                if (loops == 0) throw syntax(t, "'" + t.value() + "' outside a for loop");
                expect(Kind.BLOCK_END, "'%}'");
                return List.of(new Node.LoopControl(t.value().equals("break"), line));
            }
            case "filter" -> {
                Expr.Filter f = filter(null);
                expect(Kind.BLOCK_END, "'%}'");
                List<Node> b = body(Set.of("endfilter"));
                endTag("endfilter");
                return List.of(new Node.FilterBlock(f, b, line));
            }
            case "generation" -> { // transformers' assistant-mask marker: renders its body unchanged
                expect(Kind.BLOCK_END, "'%}'");
                List<Node> b = body(Set.of("endgeneration"));
                endTag("endgeneration");
                return b;
            }
            default -> {
                if (UNSUPPORTED_TAGS.contains(t.value())) {
                    throw new TemplateException(TemplateException.Kind.UNSUPPORTED, line, "the {% " + t.value()
                            + " %} tag is not supported by Kiln's chat-template interpreter (a chat template must be self-contained)");
                }
                throw syntax(t, "unknown tag '" + t.value() + "'");
            }
        }
    }

    private Node ifStatement(int line) {
        List<Expr> tests = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        List<Node> orElse = List.of();
        tests.add(tuple(true));
        expect(Kind.BLOCK_END, "'%}'");
        while (true) {
            bodies.add(body(Set.of("elif", "else", "endif")));
            String tag = tagName();
            i += 2;
            if (tag.equals("elif")) {
                tests.add(tuple(true));
                expect(Kind.BLOCK_END, "'%}'");
                continue;
            }
            expect(Kind.BLOCK_END, "'%}'");
            if (tag.equals("else")) {
                orElse = body(Set.of("endif"));
                endTag("endif");
            }
            return new Node.If(tests, bodies, orElse, line);
        }
    }

    private Node forStatement(int line) {
        List<String> targets = names();
        Token in = next();
        if (!in.isName("in")) throw syntax(in, "expected 'in' in the for loop");
        Expr iter = tuple(false);
        Expr filter = null;
        if (peek().isName("if")) {
            i++;
            filter = expression(true);
        }
        if (peek().isName("recursive")) {
            throw new TemplateException(TemplateException.Kind.UNSUPPORTED, line, "recursive for loops are not supported");
        }
        expect(Kind.BLOCK_END, "'%}'");
        loops++;
        List<Node> body = body(Set.of("else", "endfor"));
        loops--;
        List<Node> orElse = List.of();
        if (tagName().equals("else")) {
            i += 2;
            expect(Kind.BLOCK_END, "'%}'");
            orElse = body(Set.of("endfor"));
        }
        endTag("endfor");
        return new Node.For(targets, iter, filter, body, orElse, line);
    }

    private Node setStatement(int line) {
        List<String> names = names();
        String attr = null;
        if (names.size() == 1 && peek().isOp(".")) {
            i++;
            attr = name();
        }
        if (peek().isOp("=")) {
            i++;
            Expr value = tuple(true);
            expect(Kind.BLOCK_END, "'%}'");
            return new Node.Set(names, attr, value, line);
        }
        if (names.size() != 1 || attr != null) throw syntax(peek(), "expected '=' in the set tag");
        if (peek().isOp("|")) throw new TemplateException(TemplateException.Kind.UNSUPPORTED, line, "filtered block set is not supported");
        expect(Kind.BLOCK_END, "'%}'");
        List<Node> body = body(Set.of("endset"));
        endTag("endset");
        return new Node.SetBlock(names.get(0), body, line);
    }

    private Node macroStatement(int line) {
        String name = name();
        expectOp("(");
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        while (!peek().isOp(")")) {
            if (!params.isEmpty()) expectOp(",");
            if (peek().isOp(")")) break;
            params.add(name());
            if (peek().isOp("=")) {
                i++;
                defaults.add(expression(true));
            } else {
                defaults.add(null);
            }
        }
        i++;
        expect(Kind.BLOCK_END, "'%}'");
        int outer = loops;
        loops = 0;
        List<Node> body = body(Set.of("endmacro"));
        loops = outer;
        endTag("endmacro");
        return new Node.Macro(name, params, defaults, body, line);
    }

    /** One name or several separated by commas, optionally in parentheses (a for or set target). */
    private List<String> names() {
        boolean paren = peek().isOp("(");
        if (paren) i++;
        List<String> out = new ArrayList<>();
        out.add(name());
        while (peek().isOp(",")) {
            i++;
            out.add(name());
        }
        if (paren) expectOp(")");
        return out;
    }

    private void endTag(String name) {
        expect(Kind.BLOCK_BEGIN, "'{%'");
        Token t = next();
        if (!t.isName(name)) throw syntax(t, "expected '" + name + "'");
        expect(Kind.BLOCK_END, "'%}'");
    }
}
