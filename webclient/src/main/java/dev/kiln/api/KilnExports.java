package dev.kiln.api;

import dev.kiln.demo.FoundationDemo;
import org.teavm.jso.JSExport;
import org.teavm.jso.core.JSPromise;
import org.teavm.jso.core.JSString;

/**
 * The engine's JavaScript API, the same in both builds (ES module exports):
 * <pre>
 *   demo()                      → Promise&lt;string&gt;   kernel check report (JSON)
 *   load(manifestUrl, onProgress) → Promise&lt;Engine&gt;   see {@link JsEngine}
 * </pre>
 * No method here suspends: each returns a promise whose work runs on a new TeaVM thread.
 */
public final class KilnExports {
    private KilnExports() {}

    @JSExport
    public static JSPromise<JSString> demo() {
        return Errors.promise(() -> JSString.valueOf(FoundationDemo.run()));
    }

    public static void main(String[] args) {
        // nothing to start: the module only exports functions
    }
}
