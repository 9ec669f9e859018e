package dev.kiln.chat;

import java.util.HashMap;
import java.util.Map;

/** Variables of one frame (the template, a macro call, one loop iteration), falling back to the enclosing frame. */
final class Scope {
    private final Map<String, Object> vars = new HashMap<>();
    private final Scope parent;

    Scope(Scope parent) { this.parent = parent; }

    /** The value of {@code name}, or an {@link Undefined} naming it. */
    Object get(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            if (s.vars.containsKey(name)) return s.vars.get(name);
        }
        return new Undefined("'" + name + "' is undefined");
    }

    void set(String name, Object value) { vars.put(name, value); }
}
