package dev.kiln.engine;

import dev.kiln.gpu.Await;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSObject;
import org.teavm.jso.JSProperty;
import org.teavm.jso.core.JSPromise;
import org.teavm.jso.core.JSString;
import org.teavm.jso.typedarrays.Uint8Array;

/**
 * The few browser (and Node 18+) APIs the loader needs that TeaVM does not ship: {@code fetch} with a streamed body,
 * and SHA-256 through {@code crypto.subtle}. Shard bytes stay on the JavaScript side: Java only sees sizes and
 * hashes, so a model never has to fit into the Wasm heap.
 */
final class Net {
    private Net() {}

    /** An open streamed download. */
    interface Download extends JSObject {
        /** Content-Length, or -1 when the server did not send one. */
        @JSProperty double getLength();
    }

    /** The next chunk of a download, or null at the end of the body. */
    static Uint8Array next(Download d, String url) {
        return Await.await(read(d), "download " + url);
    }

    @JSBody(params = "d", script = "return d.reader.read().then(function(r) { return r.done ? null : r.value; });")
    private static native JSPromise<Uint8Array> read(Download d);

    @JSBody(params = "d", script = "try { d.reader.cancel(); } catch (e) {}")
    static native void cancel(Download d);

    /** The body of {@code url} as text; an HTTP error or a network failure names the URL. */
    static String text(String url) {
        return Await.await(fetchText(url), "fetch " + url).stringValue();
    }

    /**
     * Starts downloading {@code url}; read it with {@link #next}. With {@code reload} the request bypasses the HTTP
     * cache ({@code cache: 'reload'}: the browser fetches from the server and stores the fresh response), so a bad
     * copy in the cache is replaced.
     */
    static Download open(String url, boolean reload) {
        return Await.await(fetchStream(url, reload ? "reload" : "default"), "fetch " + url);
    }

    /** Lowercase hex SHA-256 of {@code bytes[0 .. length)}. */
    static String sha256(Uint8Array bytes, int length) {
        return Await.await(digest(bytes, length), "SHA-256").stringValue();
    }

    /** {@code relative} resolved against {@code base} (the manifest URL), as the browser resolves links. */
    @JSBody(params = { "relative", "base" }, script = "return new URL(relative, base).href;")
    static native String resolve(String relative, String base);

    @JSBody(params = "n", script = "return new Uint8Array(n);")
    static native Uint8Array bytes(int n);

    @JSBody(params = { "dst", "chunk", "offset" }, script = ""
            + "if (offset + chunk.length > dst.length) throw new Error('the server sent more bytes than the manifest says');"
            + "dst.set(chunk, offset);")
    static native void copy(Uint8Array dst, Uint8Array chunk, int offset);

    @JSBody(params = "url", script = "return fetch(url).then(function(r) {"
            + " if (!r.ok) throw new Error('HTTP ' + r.status + ' ' + r.statusText);"
            + " return r.text(); });")
    private static native JSPromise<JSString> fetchText(String url);

    @JSBody(params = { "url", "cache" }, script = "return fetch(url, { cache: cache }).then(function(r) {"
            + " if (!r.ok) throw new Error('HTTP ' + r.status + ' ' + r.statusText);"
            + " var n = Number(r.headers.get('content-length') || -1);"
            + " return { reader: r.body.getReader(), length: n }; });")
    private static native JSPromise<Download> fetchStream(String url, String cache);

    @JSBody(params = { "bytes", "length" }, script = ""
            + "return crypto.subtle.digest('SHA-256', bytes.subarray(0, length)).then(function(h) {"
            + " var v = new Uint8Array(h), s = '';"
            + " for (var i = 0; i < v.length; i++) s += (v[i] < 16 ? '0' : '') + v[i].toString(16);"
            + " return s; });")
    private static native JSPromise<JSString> digest(Uint8Array bytes, int length);

    /** Unicode NFC through the platform (TeaVM's class library has no java.text.Normalizer). */
    @JSBody(params = "s", script = "return s.normalize('NFC');")
    static native String normalizeNfc(String s);
}
