package dev.kiln.engine;

import dev.kiln.gpu.Await;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.JSProperty;
import org.teavm.jso.core.JSPromise;
import org.teavm.jso.core.JSString;
import org.teavm.jso.typedarrays.Uint8Array;

/**
 * The browser's model store as the engine sees it: {@code globalThis.kilnModelStore}, installed by the site's
 * {@code model-store.js} (OPFS, shards keyed by SHA-256, resumable verified downloads, Web Locks). Absent in Node and
 * in browsers without OPFS: the {@link Loader} then streams shards from the network as before. The bytes of a shard
 * stay on the JavaScript side; Java sees sizes, hashes and where they came from.
 */
final class Store {
    private final JSObject js;

    private Store(JSObject js) { this.js = js; }

    /** The installed store, or null. */
    static Store find() {
        JSObject s = installed();
        return s == null ? null : new Store(s);
    }

    /** A shard's verified bytes (padded to 4) and where they came from. */
    interface Shard extends JSObject {
        @JSProperty Uint8Array getBytes();
        /** "store" or "network". */
        @JSProperty String getSource();
        /** Non-empty when a stored copy was bad and was discarded (then fetched again). */
        @JSProperty String getDiscarded();
    }

    @JSFunctor
    interface ShardProgress extends JSObject {
        void progress(double bytes, String source);
    }

    /** The manifest or tokenizer text: from the network, else the copy kept with a stored model. */
    String text(String url) {
        return call(() -> Await.await(text(js, url), "fetch " + url)).stringValue();
    }

    /** Storage preflight (refuses with how much to free); JSON: stored_bytes, missing_bytes, free_bytes, persisted. */
    String prepare(String modelJson) {
        return call(() -> Await.await(prepare(js, modelJson), "storage preflight")).stringValue();
    }

    Shard shard(String file, double size, String sha256, String url, ShardProgress progress) {
        return call(() -> Await.await(shard(js, file, size, sha256, url, progress), "shard " + file));
    }

    void commit(String modelJson) {
        call(() -> Await.await(commit(js, modelJson), "store the model record"));
    }

    private static <T> T call(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (Await.PromiseRejected e) {
            String m = e.getMessage();
            String message = m.substring(m.indexOf(": ") + 2);
            switch (e.jsName()) {
                case "IntegrityError" -> throw new StoreFailure("integrity", message);
                case "QuotaError", "QuotaExceededError" -> throw new StoreFailure("storage", message);
                default -> throw new StoreFailure("network", m);
            }
        }
    }

    @JSBody(script = "return globalThis.kilnModelStore || null;")
    private static native JSObject installed();

    @JSBody(params = { "s", "url" }, script = "return s.text(url);")
    private static native JSPromise<JSString> text(JSObject s, String url);

    @JSBody(params = { "s", "model" }, script = "return s.prepare(model);")
    private static native JSPromise<JSString> prepare(JSObject s, String model);

    @JSBody(params = { "s", "file", "size", "sha", "url", "progress" },
            script = "return s.shard(file, size, sha, url, progress);")
    private static native JSPromise<Shard> shard(JSObject s, String file, double size, String sha, String url,
                                                 ShardProgress progress);

    @JSBody(params = { "s", "model" }, script = "return s.commit(model).then(function() { return null; });")
    private static native JSPromise<JSObject> commit(JSObject s, String model);
}
