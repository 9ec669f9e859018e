package dev.kiln.api;

import dev.kiln.demo.FoundationDemo;
import dev.kiln.engine.Engine;
import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import org.teavm.jso.JSExport;
import org.teavm.jso.core.JSPromise;
import org.teavm.jso.core.JSString;

/**
 * The engine's JavaScript API, the same in both builds (ES module exports):
 * <pre>
 *   demo()                      → Promise&lt;string&gt;   kernel check report (JSON)
 *   load(manifestUrl, onProgress, optionsJson?) → Promise&lt;Engine&gt;   see {@link JsEngine}
 * </pre>
 * No method here suspends: each returns a promise whose work runs on a new TeaVM thread.
 */
public final class KilnExports {
    private KilnExports() {}

    @JSExport
    public static JSPromise<JSString> demo() {
        return Errors.promise(() -> JSString.valueOf(FoundationDemo.run()));
    }

    /**
     * Loads the packaged model whose manifest is at {@code manifestUrl} (absolute, or relative to the page).
     * {@code onProgress(json)} gets phase, bytes and shards; {@code optionsJson} may say {"precision": "f32"}.
     */
    @JSExport
    public static JSPromise<JsEngine> load(String manifestUrl, JsCallbacks.Progress onProgress, String optionsJson) {
        return Errors.promise(() -> {
            String precision = null;
            if (optionsJson != null && !optionsJson.isEmpty()) {
                precision = JsonObject.of(Json.parse(optionsJson), "load options").string("precision", null);
            }
            Engine engine = Engine.load(manifestUrl, precision, p -> {
                if (onProgress != null) onProgress.progress(p.toJson());
            });
            return new JsEngine(engine);
        });
    }

    public static void main(String[] args) {
        // nothing to start: the module only exports functions
    }
}
