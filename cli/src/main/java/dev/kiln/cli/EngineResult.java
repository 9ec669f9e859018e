package dev.kiln.cli;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;

/**
 * What one generation reports, read from the engine's result JSON (webclient's {@code GenerateResult}); {@code json}
 * is that JSON as the engine wrote it, which {@code kiln generate --json} prints unchanged.
 */
record EngineResult(int promptTokens, int tokens, String text, String precision, String adapter, double loadMs,
                    double prefillTps, double decodeTps, String json) {

    static EngineResult fromJson(String json) {
        JsonObject o = JsonObject.of(Json.parse(json), "the engine's result");
        return new EngineResult(o.array("prompt_ids").size(), o.array("ids").size(), o.string("text"),
                o.string("precision"), o.string("adapter"), o.number("load_ms"), o.number("prefill_tps"),
                o.number("decode_tps"), json.strip());
    }
}
