package dev.kiln.chat;

/**
 * jinja2's default {@code Undefined}: a missing variable, attribute, item or loop neighbour. It prints as "", is
 * false, iterates as empty and has length 0; any attribute, item, call or arithmetic on it is an error that says what
 * was undefined ({@code hint}).
 */
record Undefined(String hint) {
    TemplateException error(int line) {
        return new TemplateException(TemplateException.Kind.RUNTIME, line, hint);
    }
}
