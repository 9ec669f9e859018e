package dev.kiln.api;

import java.util.function.Supplier;

import dev.kiln.engine.ShardIntegrityError;
import dev.kiln.gpu.GpuException;
import dev.kiln.json.JsonException;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSObject;
import org.teavm.jso.core.JSPromise;

/**
 * Promises for the JS API. The work runs on a new TeaVM thread (so it may await); a Java exception becomes a
 * rejected promise with a JavaScript {@code Error} whose {@code message} is the Java message and whose {@code kind}
 * says what failed: unavailable, device-lost, validation, shader-compile, integrity, input or bug.
 */
final class Errors {
    private Errors() {}

    static <T> JSPromise<T> promise(Supplier<T> work) {
        return new JSPromise<>((resolve, reject) -> new Thread(() -> {
            T value;
            try {
                value = work.get();
            } catch (Throwable t) {
                reject.accept(jsError(kind(t), message(t),
                        t instanceof dev.kiln.generate.InvalidRequestException r ? r.parameter() : null));
                return;
            }
            resolve.accept(value);
        }).start());
    }

    static String kind(Throwable t) {
        if (t instanceof GpuException g) return g.kind();
        if (t instanceof ShardIntegrityError) return "integrity";
        if (t instanceof dev.kiln.engine.StoreFailure f) return f.kind();
        if (t instanceof IllegalArgumentException || t instanceof JsonException) return "input";
        if (t instanceof dev.kiln.chat.TemplateException) return "input"; // the template refused the conversation
        return "bug";
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isEmpty() ? t.getClass().getName() : m;
    }

    /** A JavaScript Error with {@code kind} and, for a bad request field, {@code param} (OpenAI's name for it). */
    @JSBody(params = { "kind", "message", "param" },
            script = "var e = new Error(message); e.kind = kind; if (param) e.param = param; return e;")
    static native JSObject jsError(String kind, String message, String param);
}
