package dev.kiln.chat;

/**
 * A chat template that cannot be rendered: a syntax error, a construct Kiln's interpreter does not support, a runtime
 * error (such as an attribute of an undefined value) or the template's own {@code raise_exception(msg)}. The message
 * names the template line, so a wrong prompt is never produced silently.
 */
public final class TemplateException extends RuntimeException {

    /** What went wrong, so a caller can tell a template's own refusal from a broken or unsupported template. */
    public enum Kind {
        /** The template is not valid Jinja. */
        SYNTAX,
        /** Valid Jinja that this interpreter does not implement (a filter, a tag, a method). */
        UNSUPPORTED,
        /** The template called {@code raise_exception(msg)}: the conversation breaks the template's rules. */
        RAISED,
        /** Rendering failed (undefined value used, wrong type, ...). */
        RUNTIME
    }

    private final Kind kind;
    private final int line;
    private final String detail;

    public TemplateException(Kind kind, int line, String detail) {
        super("chat template line " + line + ": " + detail);
        this.kind = kind;
        this.line = line;
        this.detail = detail;
    }

    public Kind kind() { return kind; }

    /** The 1-based template line the error is on. */
    public int line() { return line; }

    /** The message without the line prefix (for {@link Kind#RAISED}: the template's own text). */
    public String detail() { return detail; }
}
