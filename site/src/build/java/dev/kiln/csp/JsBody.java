package dev.kiln.csp;

import java.util.List;

/**
 * One {@code @JSBody} function exactly as TeaVM's WebAssembly GC runtime receives it in
 * {@code createFunctionN(p1, …, pN, body)}: the parameter names (JSBody imports, {@code __this__}, then the
 * method's params) and the body TeaVM rendered from the annotation's script.
 */
record JsBody(List<String> params, String body) {
    JsBody {
        params = List.copyOf(params);
        for (String p : params) {
            if (!p.matches("[A-Za-z_$][A-Za-z0-9_$]*")) {
                throw new IllegalStateException("@JSBody parameter name \"" + p + "\" is not a plain JavaScript"
                        + " identifier (body: " + body + ")");
            }
        }
    }

    /** The lookup key the patched runtime computes from the same strings: params joined by commas, newline, body. */
    String key() { return String.join(",", params) + "\n" + body; }
}
