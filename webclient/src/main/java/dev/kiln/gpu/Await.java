package dev.kiln.gpu;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSObject;
import org.teavm.jso.JSProperty;
import org.teavm.jso.core.JSPromise;

/**
 * The one safe way to wait for a JavaScript promise from Java. TeaVM's own {@code JSPromise.await()} breaks on a
 * promise that rejects (Wasm GC: the thread never resumes; JS: an exception without a message) and
 * {@code AsyncCallback.error} leaves a stale exception behind on Wasm GC. So every promise is first turned, on the
 * JavaScript side, into one that always resolves with {@code {ok, value | error}}, and the failure is thrown here as
 * a Java exception that carries the JavaScript error's name and message.
 *
 * <p>Only callable on a TeaVM thread ({@code main} or a {@code new Thread} started from a JS callback); an
 * {@code @JSExport} method must return a promise instead of awaiting.
 */
public final class Await {
    private Await() {}

    /** Waits for {@code promise}; a rejection becomes {@link PromiseRejected} whose message starts with {@code what}. */
    @SuppressWarnings("unchecked")
    public static <T extends JSObject> T await(JSPromise<T> promise, String what) {
        Settled s = settle(promise).await();
        if (!s.isOk()) throw new PromiseRejected(what + ": " + s.getError(), s.getErrorName());
        return (T) s.getValue();
    }

    /** Waits for a promise whose value is not needed (e.g. {@code mapAsync}). */
    public static void done(JSPromise<?> promise, String what) {
        Settled s = settle(promise).await();
        if (!s.isOk()) throw new PromiseRejected(what + ": " + s.getError(), s.getErrorName());
    }

    /** Resolved value of a settled promise, or its error. */
    interface Settled extends JSObject {
        @JSProperty boolean isOk();
        @JSProperty JSObject getValue();
        @JSProperty String getError();
        @JSProperty String getErrorName();
    }

    @JSBody(params = "p", script = "return Promise.resolve(p).then("
            + "function(v) { return { ok: true, value: v, error: '', errorName: '' }; },"
            + "function(e) { var m = (e && e.message) ? e.message : String(e);"
            + "  var n = (e && e.name) ? e.name : 'Error';"
            + "  return { ok: false, value: null, error: m, errorName: n }; });")
    private static native JSPromise<Settled> settle(JSPromise<?> p);

    /** A promise rejected; {@link #jsName()} is the JavaScript error's name (e.g. "OperationError", "TypeError"). */
    public static final class PromiseRejected extends RuntimeException {
        private final String jsName;

        PromiseRejected(String message, String jsName) {
            super(message);
            this.jsName = jsName;
        }

        public String jsName() { return jsName; }
    }
}
