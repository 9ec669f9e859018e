package dev.kiln.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.engine.Engine;
import dev.kiln.generate.GenerationRequest;
import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.model.ModelConfig;
import org.teavm.jso.JSExport;
import org.teavm.jso.core.JSPromise;
import org.teavm.jso.core.JSString;

/**
 * The object {@code load()} resolves with. JavaScript sees:
 * <pre>
 *   engine.info()                              → string (JSON: name, precision, adapter, config, load_ms, …)
 *   engine.generate(requestJson, onToken(id, text)) → Promise&lt;string&gt; (result JSON; the request is
 *                                              {@link GenerationRequest}'s JSON: prompt, max_tokens, temperature, …)
 *   engine.chat(requestJson, onChunk(chunkJson)) → Promise&lt;string&gt; (OpenAI chat completion JSON; chunks as
 *                                              chat.completion.chunk JSON while it decodes; see {@link ChatApi})
 *   engine.completion(requestJson, onChunk)   → Promise&lt;string&gt; (OpenAI text completion JSON, for base models)
 *   engine.score(idsJson)                      → Promise&lt;string&gt; ({"logits": [[…vocab], …]}, teacher forcing)
 *   engine.trace(idsJson)                      → Promise&lt;string&gt; ({"steps": [{pos, step, layer, values}, …]}, step by step)
 *   engine.profile(repeats)                    → Promise&lt;string&gt; (GPU ms of one decode token by kernel role, wall
 *                                              clock; see {@link dev.kiln.engine.Profile#toJson})
 *   engine.stop()                              stops a running generate after the current token
 *   engine.close()                             frees the GPU device
 * </pre>
 */
public final class JsEngine {
    private final Engine engine;
    private final ChatApi chat;

    JsEngine(Engine engine) {
        this.engine = engine;
        this.chat = new ChatApi(engine);
    }

    @JSExport
    public String info() {
        ModelConfig c = engine.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", engine.name());
        m.put("precision", engine.precision().name().toLowerCase());
        m.put("adapter", engine.adapter());
        m.put("load_ms", engine.loadMs());
        m.put("compile_ms", engine.compileMs());
        m.put("dispatches_per_token", engine.dispatchesPerToken());
        m.put("subgroups", engine.subgroups());
        if (!engine.subgroups()) m.put("subgroups_note", engine.noSubgroups());
        m.put("architecture", c.architecture());
        m.put("dim", c.dim());
        m.put("layers", c.layers());
        m.put("heads", c.heads());
        m.put("kv_heads", c.kvHeads());
        m.put("vocab", c.vocab());
        m.put("context", c.context());
        m.put("chat", chat.available());
        m.put("recoveries", engine.recoveries());
        return Json.write(m);
    }

    /** A test hook: destroys the GPU device as a driver reset would; the next generate recovers from the store. */
    @JSExport
    public void loseDevice() { engine.loseDevice(); }

    @JSExport
    public JSPromise<JSString> chat(String requestJson, JsCallbacks.Chunk onChunk) {
        return Errors.promise(() -> JSString.valueOf(chat.chat(requestJson, onChunk)));
    }

    @JSExport
    public JSPromise<JSString> completion(String requestJson, JsCallbacks.Chunk onChunk) {
        return Errors.promise(() -> JSString.valueOf(chat.completion(requestJson, onChunk)));
    }

    @JSExport
    public JSPromise<JSString> generate(String requestJson, JsCallbacks.Token onToken) {
        return Errors.promise(() -> {
            GenerationRequest request = GenerationRequest.fromJson(requestJson);
            return JSString.valueOf(engine.generate(request, (id, text) -> {
                if (onToken != null) onToken.token(id, text);
            }).toJson());
        });
    }

    @JSExport
    public JSPromise<JSString> score(String idsJson) {
        return Errors.promise(() -> {
            List<Object> raw = JsonObject.of(Json.parse("{\"ids\":" + idsJson + "}"), "score").array("ids");
            int[] ids = new int[raw.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = ((Double) raw.get(i)).intValue();
            float[][] logits = engine.score(ids);
            List<Object> rows = new ArrayList<>();
            for (float[] row : logits) {
                List<Object> r = new ArrayList<>(row.length);
                for (float f : row) r.add((double) f);
                rows.add(r);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("logits", rows);
            return JSString.valueOf(Json.write(m));
        });
    }

    /**
     * Step-by-step trace (teacher-forced): {"steps": [{"pos", "step", "layer", "values": […]}, …]}, one entry per
     * recipe stage per position, in execution order; see {@link Engine#trace}.
     */
    @JSExport
    public JSPromise<JSString> trace(String idsJson) {
        return Errors.promise(() -> {
            List<Object> raw = JsonObject.of(Json.parse("{\"ids\":" + idsJson + "}"), "trace").array("ids");
            int[] ids = new int[raw.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = ((Double) raw.get(i)).intValue();
            List<Object> steps = new ArrayList<>();
            engine.trace(ids, (pos, stage, values, n) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pos", pos);
                m.put("step", stage.step().name());
                m.put("layer", stage.layer());
                List<Object> v = new ArrayList<>(n);
                for (int i = 0; i < n; i++) v.add((double) values[i]);
                m.put("values", v);
                steps.add(m);
            });
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("steps", steps);
            return JSString.valueOf(Json.write(m));
        });
    }

    /** GPU time per decode token by kernel role ({@link Engine#profile}): run after a generate. */
    @JSExport
    public JSPromise<JSString> profile(int repeats) {
        return Errors.promise(() -> JSString.valueOf(engine.profile(repeats).toJson()));
    }

    @JSExport
    public void stop() { engine.stop(); }

    @JSExport
    public void close() { engine.close(); }
}
