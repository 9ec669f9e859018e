package dev.kiln.cli;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;

/**
 * What one generation reports, read from the engine's result JSON (webclient's {@code GenerateResult}); {@code json}
 * is that JSON as the engine wrote it, which {@code kiln generate --json} prints unchanged.
 *
 * @param firstTokenMs time to the first token (prefill and the first sampled token)
 * @param compileMs    the part of {@code loadMs} spent creating pipelines (not in any timed figure)
 * @param prefill      GPU work up to the first token
 * @param decode       GPU work of the tokens after the first
 * @param profile      GPU time of one more decode token by kernel role, or null when it was not asked for
 */
record EngineResult(int promptTokens, int tokens, String text, String precision, String adapter, double loadMs,
                    double prefillTps, double decodeTps, double firstTokenMs, double compileMs, Work prefill, Work decode,
                    Profile profile, String json) {

    /**
     * The engine's profile (webclient's {@code Profile}): per kernel role, in the order a token first uses them, its
     * GPU milliseconds and dispatches per decode token, and how they were measured.
     */
    record Profile(String method, java.util.Map<String, Double> msPerToken, java.util.Map<String, Integer> dispatches) {
        static Profile of(JsonObject o, String key) {
            if (!o.has(key)) return null;
            JsonObject p = o.object(key);
            java.util.Map<String, Double> ms = new java.util.LinkedHashMap<>();
            java.util.Map<String, Integer> n = new java.util.LinkedHashMap<>();
            for (Object r : p.array("roles")) {
                JsonObject role = JsonObject.of(r, key + ".roles");
                ms.put(role.string("role"), role.number("ms_per_token"));
                n.put(role.string("role"), role.integer("dispatches"));
            }
            return new Profile(p.string("method"), ms, n);
        }
    }

    /** Dispatches, submits and bytes read back of one phase of a generation. */
    record Work(double dispatches, double submits, double readBytes) {
        static final Work NONE = new Work(0, 0, 0);

        static Work of(JsonObject o, String key) {
            if (!o.has(key)) return NONE;
            JsonObject w = o.object(key);
            return new Work(w.number("dispatches"), w.number("submits"), w.number("read_bytes"));
        }
    }

    static EngineResult fromJson(String json) {
        JsonObject o = JsonObject.of(Json.parse(json), "the engine's result");
        return new EngineResult(o.array("prompt_ids").size(), o.array("ids").size(), o.string("text"),
                o.string("precision"), o.string("adapter"), o.number("load_ms"), o.number("prefill_tps"),
                o.number("decode_tps"), o.number("first_token_ms", 0), o.number("compile_ms", 0),
                Work.of(o, "prefill_work"), Work.of(o, "decode_work"), Profile.of(o, "profile"), json.strip());
    }
}
