package dev.kiln.packager.hf;

import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeScaling;
import dev.kiln.model.RopeStyle;
import dev.kiln.packager.ModelFormatException;
import tools.jackson.databind.JsonNode;

import java.util.List;

/**
 * {@code config.json} of a Hugging Face causal LM → our {@link ModelConfig}. Families that are llama in all but
 * packaging or a config flag (Llama 1/2/3.x, Mistral, SmolLM2, TinyLlama: {@code model_type} "llama"/"mistral";
 * Qwen2/2.5: "qwen2", q/k/v biases; Qwen3: "qwen3", per-head q/k RMSNorm; Phi-3/3.5: "phi3" with fused projections
 * split at packaging; Llama-3, linear and LongRoPE (Phi-3.5) RoPE scaling) are accepted; a feature the engine cannot run is refused
 * with an error that names it. RoPE: Hugging Face stores q/k rows for the half-split pairing; {@link HfSource}
 * permutes them back once, so the config says {@link RopeStyle#INTERLEAVED}, as for GGUF.
 *
 * @param config the hyper-parameters
 * @param family "llama" or "phi3" (fused qkv and gate_up projections)
 * @param note   what was adapted, for the log ("context capped at the sliding window 4096"), or empty
 */
public record HfConfig(ModelConfig config, String family, String note) {

    private static final List<String> LLAMA_TYPES = List.of("llama", "mistral", "qwen2", "qwen3");

    /**
     * @param c          config.json
     * @param gen        generation_config.json (may be a missing node)
     * @param vocabRows  rows of the embedding tensor
     * @param tied       the LM head is the embedding (no lm_head.weight is used)
     */
    static HfConfig read(String where, JsonNode c, JsonNode gen, long vocabRows, boolean tied) {
        String type = c.path("model_type").asString("");
        String arch = c.path("architectures").path(0).asString("");
        String family;
        if (LLAMA_TYPES.contains(type)) family = "llama";
        else if (type.equals("phi3")) family = "phi3";
        else {
            throw new ModelFormatException(where + ": model_type '" + type + "' (" + arch + ") is not supported yet; Kiln packages "
                    + "llama-family models: llama (Llama 1/2/3.x, SmolLM2, TinyLlama), mistral, qwen2 (Qwen2/2.5), qwen3, phi3"
                    + unsupportedHint(type));
        }
        refuse(where, c);
        boolean qkvBias = type.equals("qwen2");   // Qwen2/2.5 always have q/k/v biases (their config has no flag)
        boolean qkNorm = type.equals("qwen3");    // Qwen3: per-head RMSNorm of q and k before RoPE
        RopeScaling scaling = ropeScaling(where, c, req(where, c, "max_position_embeddings"));
        int dim = req(where, c, "hidden_size");
        int heads = req(where, c, "num_attention_heads");
        int kvHeads = opt(c, "num_key_value_heads", heads);
        int headSize = opt(c, "head_dim", heads > 0 ? dim / heads : 0);
        int layers = req(where, c, "num_hidden_layers");
        int ffn = req(where, c, "intermediate_size");
        int vocab = req(where, c, "vocab_size");
        if (vocab != vocabRows) {
            throw new ModelFormatException(where + ": config.json vocab_size is " + vocab + " but the embedding has " + vocabRows + " rows");
        }
        double eps = c.path("rms_norm_eps").asDouble(1e-6);
        double theta = c.path("rope_theta").asDouble(10000.0);
        int context = req(where, c, "max_position_embeddings");
        String note = "";
        JsonNode sw = c.path("sliding_window");
        boolean swaOn = !c.path("use_sliding_window").isBoolean() || c.path("use_sliding_window").asBoolean();
        if (swaOn && sw.isIntegralNumber() && sw.asInt() > 0 && sw.asInt() < context) {
            // Within the window, sliding-window attention is full attention: capping the context keeps it exact.
            note = "context capped at the sliding window " + sw.asInt() + " (of max_position_embeddings " + context
                    + "): the engine has no sliding-window attention, and within the window both are equal";
            context = sw.asInt();
        }
        int bos = tokenId(where, c, gen, "bos_token_id", vocab);
        int eos = tokenId(where, c, gen, "eos_token_id", vocab);
        try {
            ModelConfig mc = new ModelConfig("llama", dim, layers, heads, kvHeads, headSize, ffn, vocab, (float) eps,
                    (float) theta, RopeStyle.INTERLEAVED, context, bos, eos, tied).withFlags(qkvBias, qkNorm, scaling);
            return new HfConfig(mc, family, note);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + ": inconsistent config.json: " + e.getMessage());
        }
    }

    /** Options the engine does not run yet: each is an error that names it. */
    private static void refuse(String where, JsonNode c) {
        String act = c.path("hidden_act").asString(c.path("hidden_activation").asString("silu"));
        if (!act.equals("silu")) unsupported(where, "hidden_act '" + act + "' (the engine's FFN is SwiGLU with silu)");
        if (c.path("attention_bias").asBoolean(false)) {
            unsupported(where, "attention_bias true (q/k/v and o_proj biases; the engine runs q/k/v biases, as in Qwen2)");
        }
        if (c.path("mlp_bias").asBoolean(false)) unsupported(where, "mlp_bias true (FFN biases)");
        for (String moe : List.of("num_local_experts", "num_experts", "n_routed_experts")) {
            if (c.path(moe).asInt(0) > 0) unsupported(where, moe + " " + c.path(moe).asInt() + " (mixture of experts)");
        }
        JsonNode rs = c.path("rope_scaling");
        if (!rs.isMissingNode() && !rs.isNull()) {
            String kind = rs.path("rope_type").asString(rs.path("type").asString("?"));
            String what = switch (kind) {
                case "default", "llama3", "linear", "longrope", "su" -> null; // run: see ropeScaling
                case "dynamic", "yarn" -> "RoPE scaling '" + kind + "'";
                default -> "unknown RoPE scaling '" + kind + "'";
            };
            if (what != null) unsupported(where, what);
        }
        double partial = c.path("partial_rotary_factor").asDouble(1.0);
        if (partial != 1.0) unsupported(where, "partial_rotary_factor " + partial + " (partial rotary embeddings)");
    }

    /**
     * rope_scaling → ours: llama3 (Llama 3.1/3.2), linear, longrope (Phi-3.5; "su" is its earlier name); absent,
     * null or "default" is none. LongRoPE's attention factor is resolved here as transformers'
     * {@code _compute_longrope_parameters} does: rope_scaling's {@code attention_factor} when given, else from
     * max_position_embeddings / original_max_position_embeddings (the config's top-level key, as Phi-3 has it, else
     * rope_scaling's; without either, rope_scaling's {@code factor} over max_position_embeddings as the original).
     */
    private static RopeScaling ropeScaling(String where, JsonNode c, int maxPositions) {
        JsonNode rs = c.path("rope_scaling");
        if (rs.isMissingNode() || rs.isNull()) return RopeScaling.NONE;
        String kind = rs.path("rope_type").asString(rs.path("type").asString("?"));
        try {
            return switch (kind) {
                case "llama3" -> RopeScaling.llama3((float) num(where, rs, "factor"), (float) num(where, rs, "low_freq_factor"),
                        (float) num(where, rs, "high_freq_factor"), (int) num(where, rs, "original_max_position_embeddings"));
                case "linear" -> RopeScaling.linear((float) num(where, rs, "factor"));
                case "longrope", "su" -> longrope(where, c, rs, maxPositions);
                default -> RopeScaling.NONE;
            };
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + ": config.json rope_scaling: " + e.getMessage());
        }
    }

    private static RopeScaling longrope(String where, JsonNode c, JsonNode rs, int maxPositions) {
        JsonNode top = c.path("original_max_position_embeddings"), inner = rs.path("original_max_position_embeddings");
        int original;
        double factor;
        if (top.isIntegralNumber() || inner.isIntegralNumber()) {
            original = (top.isIntegralNumber() ? top : inner).asInt();
            factor = (double) maxPositions / original;
        } else {
            original = maxPositions;
            factor = rs.path("factor").isNumber() ? rs.path("factor").asDouble() : 1.0;
        }
        if (original <= 0) throw new ModelFormatException(where + ": config.json original_max_position_embeddings must be positive, got " + original);
        JsonNode af = rs.path("attention_factor");
        float attention = af.isNumber() ? (float) af.asDouble() : RopeScaling.longropeAttentionFactor(factor, original);
        return RopeScaling.longrope(floats(where, rs, "short_factor"), floats(where, rs, "long_factor"), original, attention);
    }

    private static List<Float> floats(String where, JsonNode rs, String key) {
        JsonNode v = rs.path(key);
        if (!v.isArray() || v.isEmpty()) {
            throw new ModelFormatException(where + ": config.json rope_scaling needs a list of numbers '" + key + "', found " + (v.isMissingNode() ? "none" : v));
        }
        List<Float> out = new java.util.ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isNumber()) throw new ModelFormatException(where + ": config.json rope_scaling." + key + " holds " + e + ", expected numbers");
            out.add((float) e.asDouble());
        }
        return out;
    }

    private static double num(String where, JsonNode rs, String key) {
        JsonNode v = rs.path(key);
        if (!v.isNumber()) throw new ModelFormatException(where + ": config.json rope_scaling needs a number '" + key + "', found " + (v.isMissingNode() ? "none" : v));
        return v.asDouble();
    }

    private static String unsupportedHint(String type) {
        return switch (type) {
            case "qwen2_moe", "qwen3_moe", "mixtral" -> ". Mixture-of-experts models are not supported";
            default -> "";
        };
    }

    private static void unsupported(String where, String feature) {
        throw new ModelFormatException(where + ": " + feature + " is not supported by the engine yet; "
                + "choose a model without it (Llama, Mistral, Qwen2/2.5, Qwen3, SmolLM2 and Phi-3 checkpoints without it run)");
    }

    private static int req(String where, JsonNode c, String key) {
        JsonNode v = c.path(key);
        if (!v.isIntegralNumber()) throw new ModelFormatException(where + ": config.json needs an integer '" + key + "', found " + (v.isMissingNode() ? "none" : v));
        return v.asInt();
    }

    private static int opt(JsonNode c, String key, int fallback) {
        JsonNode v = c.path(key);
        return v.isIntegralNumber() ? v.asInt() : fallback;
    }

    /**
     * Every {@code eos_token_id} of config.json and generation_config.json (each one id or a list), config.json's
     * first, without repeats: generation stops at any of them (Llama 3.1 lists {@code <|end_of_text|>},
     * {@code <|eom_id|>} and {@code <|eot_id|>}).
     */
    static int[] eosIds(String where, JsonNode config, JsonNode gen, int vocab) {
        java.util.LinkedHashSet<Integer> ids = new java.util.LinkedHashSet<>();
        for (JsonNode source : new JsonNode[] {config, gen}) {
            JsonNode v = source.path("eos_token_id");
            for (JsonNode id : v.isArray() ? v : java.util.List.of(v)) {
                if (id.isMissingNode() || id.isNull()) continue;
                if (!id.isIntegralNumber() || id.asInt() < 0 || id.asInt() >= vocab) {
                    throw new ModelFormatException(where + ": eos_token_id " + id + " is not a token id of the vocabulary of " + vocab);
                }
                ids.add(id.asInt());
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** config.json's id, else generation_config.json's; the first of a list (Llama 3 lists several EOS ids); -1 when none. */
    private static int tokenId(String where, JsonNode c, JsonNode gen, String key, int vocab) {
        JsonNode v = c.path(key);
        if (v.isMissingNode() || v.isNull()) v = gen.path(key);
        if (v.isArray()) v = v.path(0);
        if (!v.isIntegralNumber()) return -1;
        int id = v.asInt();
        if (id < 0 || id >= vocab) throw new ModelFormatException(where + ": " + key + " " + id + " is outside the vocabulary of " + vocab);
        return id;
    }
}
