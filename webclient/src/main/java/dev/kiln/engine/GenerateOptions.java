package dev.kiln.engine;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.sample.SamplerOptions;

/**
 * Options of one generation, from the JS API's JSON: {@code max_tokens} (default 128), {@code temperature}
 * (0 = greedy, the default), {@code top_k} (40), {@code top_p} (0.95), {@code seed} (0), {@code ignore_eos} (false).
 */
public record GenerateOptions(int maxTokens, float temperature, int topK, float topP, long seed, boolean ignoreEos) {

    public GenerateOptions {
        if (maxTokens < 1) throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens);
        if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0 (0 = greedy), got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
    }

    public static GenerateOptions fromJson(String json) {
        JsonObject o = JsonObject.of(Json.parse(json == null || json.isEmpty() ? "{}" : json), "options");
        return new GenerateOptions(o.integer("max_tokens", 128), (float) o.number("temperature", 0),
                o.integer("top_k", 40), (float) o.number("top_p", 0.95), (long) o.number("seed", 0),
                o.bool("ignore_eos", false));
    }

    public boolean greedy() { return temperature == 0f || topK == 1; }

    public SamplerOptions sampler() { return new SamplerOptions(temperature, topK, topP, seed); }
}
