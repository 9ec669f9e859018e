package dev.kiln.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Template source to tokens, with Hugging Face's whitespace settings: {@code trim_blocks} (the first newline after a
 * block or comment tag is dropped) and {@code lstrip_blocks} (spaces and tabs from the start of a line up to a block or
 * comment tag are dropped), plus {@code -} / {@code +} whitespace control on tags. Mirrors jinja2's {@code lexer.py}
 * rules, including its {@code line_starting} quirk: a tag not preceded by a newline in its text is left-stripped only
 * when the previous tag's end consumed a newline.
 */
final class Lexer {

    enum Kind { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    record Token(Kind kind, String value, int line) {
        boolean is(Kind k, String v) { return kind == k && value.equals(v); }
        boolean isName(String v) { return is(Kind.NAME, v); }
        boolean isOp(String v) { return is(Kind.OP, v); }
    }

    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=",
        ".", ":", "|", ",", ";"
    };

    private final String src;
    private final List<Token> out = new ArrayList<>();
    private int pos, line = 1;
    private boolean lineStarting = true; // the previous match ended with a newline (jinja2's line_starting)

    private Lexer(String src) { this.src = src; }

    /**
     * The tokens of a template. Like jinja2, newlines (\r\n, \r, \n) are read as \n, and one newline at the very end is
     * dropped ({@code keep_trailing_newline=False}).
     */
    static List<Token> tokenize(String src) {
        String s = src.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) s = s.substring(0, s.length() - 1);
        Lexer l = new Lexer(s);
        l.run();
        return l.out;
    }

    private void run() {
        int n = src.length();
        while (pos < n) {
            int k = nextTag(pos);
            if (k < 0) {
                emitText(src.substring(pos), line);
                line += newlines(src, pos, n);
                pos = n;
                break;
            }
            char type = src.charAt(k + 1);
            char sign = k + 2 < n ? src.charAt(k + 2) : ' ';
            boolean hasSign = sign == '-' || sign == '+';
            String text = src.substring(pos, k);
            int textLine = line;
            line += newlines(src, pos, k);
            boolean raw = type == '%' && isRawBegin(k + 2 + (hasSign ? 1 : 0));
            emitText(strip(text, sign, type != '{'), textLine);
            pos = k + 2 + (hasSign ? 1 : 0);
            if (type == '#') comment();
            else if (raw) raw();
            else tag(type == '{');
        }
        out.add(new Token(Kind.EOF, "", line));
    }

    /** The text before a tag, with the tag's left whitespace control applied. */
    private String strip(String text, char sign, boolean blockOrComment) {
        if (sign == '-') return rstrip(text);
        if (sign == '+' || !blockOrComment) return text;
        int lpos = text.lastIndexOf('\n') + 1;
        if ((lpos > 0 || lineStarting) && lpos < text.length() && isSpace(text, lpos, text.length())) return text.substring(0, lpos);
        return text;
    }

    private int nextTag(int from) {
        for (int k = src.indexOf('{', from); k >= 0 && k + 1 < src.length(); k = src.indexOf('{', k + 1)) {
            char c = src.charAt(k + 1);
            if (c == '{' || c == '%' || c == '#') return k;
        }
        return -1;
    }

    private void comment() {
        int start = line;
        int end = src.indexOf("#}", pos);
        if (end < 0) throw new TemplateException(TemplateException.Kind.SYNTAX, start, "missing end of comment tag '#}'");
        char before = end > pos ? src.charAt(end - 1) : ' ';
        line += newlines(src, pos, end);
        pos = end + 2;
        afterEnd(before);
    }

    /** After an end tag: {@code -} eats all whitespace, {@code +} nothing, otherwise trim_blocks eats one newline. */
    private void afterEnd(char sign) {
        int from = pos;
        if (sign == '-') {
            while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
        } else if (sign != '+' && pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
        }
        line += newlines(src, from, pos);
        lineStarting = src.charAt(pos - 1) == '\n';
    }

    private boolean isRawBegin(int p) {
        p = skipSpace(p);
        if (!src.startsWith("raw", p)) return false;
        p = skipSpace(p + 3);
        return src.startsWith("%}", p) || src.startsWith("-%}", p);
    }

    /** {% raw %} ... {% endraw %}: the content verbatim (raw's opening tag trims no newline, as in jinja2). */
    private void raw() {
        int p = skipSpace(skipSpace(pos) + 3);
        boolean dash = src.charAt(p) == '-';
        pos = p + (dash ? 3 : 2);
        int from = pos;
        if (dash) while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
        line += newlines(src, from, pos);
        lineStarting = false;
        for (int k = src.indexOf("{%", pos); k >= 0; k = src.indexOf("{%", k + 1)) {
            char sign = k + 2 < src.length() ? src.charAt(k + 2) : ' ';
            int q = skipSpace(k + 2 + (sign == '-' || sign == '+' ? 1 : 0));
            if (!src.startsWith("endraw", q)) continue;
            q = skipSpace(q + 6);
            char endSign = src.charAt(q) == '-' || src.charAt(q) == '+' ? src.charAt(q) : ' ';
            if (!src.startsWith("%}", q + (endSign != ' ' ? 1 : 0))) continue;
            String text = src.substring(pos, k);
            emitText(strip(text, sign, true), line);
            line += newlines(src, pos, q);
            pos = q + (endSign != ' ' ? 3 : 2);
            afterEnd(endSign);
            return;
        }
        throw new TemplateException(TemplateException.Kind.SYNTAX, line, "{% raw %} without {% endraw %}");
    }

    /** The tokens of a {{ ... }} or {% ... %} tag up to its end, which counts only outside brackets. */
    private void tag(boolean variable) {
        int tagLine = line;
        out.add(new Token(variable ? Kind.VAR_BEGIN : Kind.BLOCK_BEGIN, "", line));
        int depth = 0;
        String close = variable ? "}}" : "%}";
        while (true) {
            int from = pos;
            while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
            line += newlines(src, from, pos);
            if (pos >= src.length()) {
                throw new TemplateException(TemplateException.Kind.SYNTAX, tagLine, "unclosed tag: expected '" + close + "'");
            }
            if (depth == 0) {
                char c = src.charAt(pos);
                boolean signed = (c == '-' || c == '+') && src.startsWith(close, pos + 1);
                if (signed || src.startsWith(close, pos)) {
                    out.add(new Token(variable ? Kind.VAR_END : Kind.BLOCK_END, "", line));
                    pos += close.length() + (signed ? 1 : 0);
                    afterEnd(signed ? c : variable ? '+' : ' ');
                    return;
                }
            }
            Token t = token();
            if (t.kind() == Kind.OP) {
                switch (t.value()) {
                    case "(", "[", "{" -> depth++;
                    case ")", "]", "}" -> depth--;
                    default -> { }
                }
            }
            out.add(t);
        }
    }

    private Token token() {
        char c = src.charAt(pos);
        int start = pos;
        if (Character.isLetter(c) || c == '_') {
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
            return new Token(Kind.NAME, src.substring(start, pos), line);
        }
        if (c == '\'' || c == '"') return string(c);
        if (Character.isDigit(c)) return number();
        for (String op : OPERATORS) {
            if (src.startsWith(op, pos)) {
                pos += op.length();
                return new Token(Kind.OP, op, line);
            }
        }
        throw new TemplateException(TemplateException.Kind.SYNTAX, line, "unexpected character '" + c + "'");
    }

    /** A string literal with Python's escapes (jinja2 decodes them as 'unicode-escape'). */
    private Token string(char quote) {
        int startLine = line;
        StringBuilder s = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= src.length()) throw new TemplateException(TemplateException.Kind.SYNTAX, startLine, "unterminated string literal");
            char c = src.charAt(pos++);
            if (c == quote) break;
            if (c == '\n') line++;
            if (c != '\\') {
                s.append(c);
                continue;
            }
            char e = src.charAt(pos++);
            switch (e) {
                case 'n' -> s.append('\n');
                case 't' -> s.append('\t');
                case 'r' -> s.append('\r');
                case '\\', '\'', '"' -> s.append(e);
                case '0' -> s.append('\0');
                case 'a' -> s.append('\u0007');
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'v' -> s.append('\u000b');
                case '\n' -> line++;
                case 'x' -> s.appendCodePoint(hex(2));
                case 'u' -> s.appendCodePoint(hex(4));
                case 'U' -> s.appendCodePoint(hex(8));
                default -> s.append('\\').append(e);
            }
        }
        return new Token(Kind.STRING, s.toString(), startLine);
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) throw new TemplateException(TemplateException.Kind.SYNTAX, line, "truncated escape in string literal");
        int v = Integer.parseInt(src.substring(pos, pos + digits), 16);
        pos += digits;
        return v;
    }

    private Token number() {
        int start = pos;
        boolean isFloat = false;
        while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
        if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            isFloat = true;
            pos++;
            while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
        }
        if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int p = pos + 1;
            if (p < src.length() && (src.charAt(p) == '+' || src.charAt(p) == '-')) p++;
            if (p < src.length() && Character.isDigit(src.charAt(p))) {
                isFloat = true;
                pos = p;
                while (pos < src.length() && Character.isDigit(src.charAt(pos))) pos++;
            }
        }
        return new Token(isFloat ? Kind.FLOAT : Kind.INT, src.substring(start, pos).replace("_", ""), line);
    }

    private void emitText(String text, int at) {
        if (!text.isEmpty()) out.add(new Token(Kind.TEXT, text, at));
    }

    private int skipSpace(int p) {
        while (p < src.length() && Character.isWhitespace(src.charAt(p))) p++;
        return p;
    }

    private static String rstrip(String s) {
        int e = s.length();
        while (e > 0 && Character.isWhitespace(s.charAt(e - 1))) e--;
        return s.substring(0, e);
    }

    private static boolean isSpace(String s, int from, int to) {
        for (int i = from; i < to; i++) if (!Character.isWhitespace(s.charAt(i))) return false;
        return true;
    }

    private static int newlines(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) if (s.charAt(i) == '\n') n++;
        return n;
    }
}
