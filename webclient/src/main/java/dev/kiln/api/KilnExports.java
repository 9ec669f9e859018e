package dev.kiln.api;

import dev.kiln.demo.FoundationDemo;
import dev.kiln.engine.Engine;
import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.shaders.Kernel;
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
     * {@code onProgress(json)} gets phase, bytes and shards; {@code optionsJson} may say {"precision": "f32"} and
     * {"kernels": {"silu_mul": "…WGSL…"}} (a developer's changed kernel files, used instead of the built-in ones) and
     * {"storage_quota_bytes": n} (a test hook: the store's preflight assumes this quota).
     */
    @JSExport
    public static JSPromise<JsEngine> load(String manifestUrl, JsCallbacks.Progress onProgress, String optionsJson) {
        return Errors.promise(() -> {
            String precision = null;
            double storageQuota = -1;
            java.util.Map<Kernel, String> kernels = new java.util.HashMap<>();
            if (optionsJson != null && !optionsJson.isEmpty()) {
                JsonObject o = JsonObject.of(Json.parse(optionsJson), "load options");
                precision = o.string("precision", null);
                storageQuota = o.number("storage_quota_bytes", -1);
                if (o.has("kernels")) {
                    JsonObject k = o.object("kernels");
                    for (String role : k.map().keySet()) kernels.put(kernel(role), k.string(role));
                }
            }
            Engine engine = Engine.load(manifestUrl, precision, kernels, storageQuota, p -> {
                if (onProgress != null) onProgress.progress(p.toJson());
            });
            return new JsEngine(engine);
        });
    }

    /** A kernel role by its WGSL file's name ("silu_mul") or its enum name ("SILU_MUL"). */
    private static Kernel kernel(String role) {
        for (Kernel k : Kernel.values()) {
            if (k.name().equalsIgnoreCase(role) || k.fileName().equals(role) || k.fileName().equals(role + ".wgsl")) return k;
        }
        throw new IllegalArgumentException("load options: no kernel role '" + role + "' (roles: silu_mul, mat_vec, rope, …)");
    }

    public static void main(String[] args) {
        // nothing to start: the module only exports functions
    }
}
