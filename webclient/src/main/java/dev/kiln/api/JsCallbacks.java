package dev.kiln.api;

import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/** The JavaScript functions the API calls back. */
public final class JsCallbacks {
    private JsCallbacks() {}

    /** {@code onProgress(json)}: phase, bytes_done, bytes_total, shards_done, shards_total. */
    @JSFunctor
    public interface Progress extends JSObject {
        void progress(String json);
    }

    /** {@code onToken(id, text)}: the token id and the text it completed (may be empty mid-character). */
    @JSFunctor
    public interface Token extends JSObject {
        void token(int id, String text);
    }

    /** {@code onChunk(json)}: one streamed chunk of a chat or text completion (OpenAI's chunk object). */
    @JSFunctor
    public interface Chunk extends JSObject {
        void chunk(String json);
    }
}
