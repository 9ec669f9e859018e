package dev.kiln.packager.hf;

import dev.kiln.model.ModelConfig;
import dev.kiln.model.TensorNames;
import dev.kiln.packager.ModelFormatException;

import java.util.List;
import java.util.function.IntFunction;

/**
 * The one table from Hugging Face tensor names to ours ({@link TensorNames}). A Hugging Face tensor becomes one or
 * more {@link Part}s: a fused projection (Phi-3 {@code qkv_proj}, {@code gate_up_proj}) is split into row ranges,
 * and q/k rows are marked for the RoPE permutation back to llama.cpp's interleaved pairs. Shapes are checked by
 * {@link HfSource} against {@link dev.kiln.packager.gguf.GgufNames}, the one table of shapes.
 */
public final class HfNames {
    private HfNames() {}

    /**
     * Which RoPE row permutation a part needs: over the query heads (q rows, q bias), the key heads (k rows, k bias),
     * or within one head (a per-head q/k norm weight, shared by all heads).
     */
    public enum Rope { NONE, Q, K, HEAD }

    /**
     * A row range of a Hugging Face tensor that becomes one of our tensors.
     *
     * @param ours    canonical name
     * @param rowFrom first row taken
     * @param rows    rows taken (1 for a vector)
     * @param rope    permutation to apply
     */
    public record Part(String ours, long rowFrom, long rows, Rope rope) {}

    private record Entry(String hf, IntFunction<String> ours, Rope rope) {}

    //                          Hugging Face name (under model.layers.L.)   ours                       rope
    private static final List<Entry> BLOCK = List.of(
            new Entry("input_layernorm.weight", TensorNames::attnNorm, Rope.NONE),
            new Entry("self_attn.q_proj.weight", TensorNames::attnQ, Rope.Q),
            new Entry("self_attn.k_proj.weight", TensorNames::attnK, Rope.K),
            new Entry("self_attn.v_proj.weight", TensorNames::attnV, Rope.NONE),
            new Entry("self_attn.o_proj.weight", TensorNames::attnOutput, Rope.NONE),
            new Entry("post_attention_layernorm.weight", TensorNames::ffnNorm, Rope.NONE),
            new Entry("mlp.gate_proj.weight", TensorNames::ffnGate, Rope.NONE),
            new Entry("mlp.up_proj.weight", TensorNames::ffnUp, Rope.NONE),
            new Entry("mlp.down_proj.weight", TensorNames::ffnDown, Rope.NONE));

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";
    private static final String LAYERS = "model.layers.";

    /**
     * The parts of one Hugging Face tensor; empty for tensors that carry nothing the model needs (a stored
     * {@code rotary_emb.inv_freq}, or {@code lm_head} of a tied model). Unknown or unsupported tensors are errors.
     */
    public static List<Part> map(String hf, ModelConfig c, String where) {
        switch (hf) {
            case EMBED: return List.of(new Part(TensorNames.TOKEN_EMBD, 0, c.vocab(), Rope.NONE));
            case NORM: return List.of(new Part(TensorNames.OUTPUT_NORM, 0, 1, Rope.NONE));
            case LM_HEAD: return c.tiedEmbeddings() ? List.of() : List.of(new Part(TensorNames.OUTPUT, 0, c.vocab(), Rope.NONE));
            default: break;
        }
        if (hf.startsWith(LAYERS)) {
            int dot = hf.indexOf('.', LAYERS.length());
            int l = dot < 0 ? -1 : layer(hf.substring(LAYERS.length(), dot));
            if (l >= 0 && l < c.layers()) {
                String role = hf.substring(dot + 1);
                for (Entry e : BLOCK) {
                    if (e.hf.equals(role)) return List.of(new Part(e.ours.apply(l), 0, rowsOf(e.ours.apply(l), c), e.rope));
                }
                // Phi-3: q, k and v stacked in one matrix; gate and up likewise (split here, so the engine sees llama)
                if (role.equals("self_attn.qkv_proj.weight")) {
                    return List.of(new Part(TensorNames.attnQ(l), 0, c.qDim(), Rope.Q),
                            new Part(TensorNames.attnK(l), c.qDim(), c.kvDim(), Rope.K),
                            new Part(TensorNames.attnV(l), c.qDim() + c.kvDim(), c.kvDim(), Rope.NONE));
                }
                if (role.equals("mlp.gate_up_proj.weight")) {
                    return List.of(new Part(TensorNames.ffnGate(l), 0, c.ffn(), Rope.NONE),
                            new Part(TensorNames.ffnUp(l), c.ffn(), c.ffn(), Rope.NONE));
                }
                if (role.equals("self_attn.rotary_emb.inv_freq")) return List.of(); // recomputed from rope_theta
                // Qwen2/2.5 q/k/v biases and Qwen3 per-head q/k norms, when the config says the model has them
                if (c.qkvBias()) {
                    switch (role) {
                        case "self_attn.q_proj.bias": return List.of(new Part(TensorNames.attnQBias(l), 0, 1, Rope.Q));
                        case "self_attn.k_proj.bias": return List.of(new Part(TensorNames.attnKBias(l), 0, 1, Rope.K));
                        case "self_attn.v_proj.bias": return List.of(new Part(TensorNames.attnVBias(l), 0, 1, Rope.NONE));
                        default: break;
                    }
                }
                if (c.qkNorm()) {
                    switch (role) {
                        case "self_attn.q_norm.weight": return List.of(new Part(TensorNames.attnQNorm(l), 0, 1, Rope.HEAD));
                        case "self_attn.k_norm.weight": return List.of(new Part(TensorNames.attnKNorm(l), 0, 1, Rope.HEAD));
                        default: break;
                    }
                }
                String feature = unsupported(role);
                if (feature != null) {
                    throw new ModelFormatException(where + ": tensor '" + hf + "' needs " + feature
                            + ", which the engine does not run yet");
                }
            }
        }
        throw new ModelFormatException(where + ": tensor '" + hf + "' is not a llama tensor Kiln knows (expected "
                + EMBED + ", " + NORM + ", " + LM_HEAD + " and " + LAYERS + "<0.." + (c.layers() - 1) + ">.{"
                + String.join(", ", BLOCK.stream().map(Entry::hf).toList()) + "})");
    }

    /** Rows of our tensor (1 for the norm vectors). */
    private static long rowsOf(String ours, ModelConfig c) {
        return ours.endsWith("_norm") ? 1 : switch (ours.substring(ours.lastIndexOf('.') + 1)) {
            case "attn_q" -> c.qDim();
            case "attn_k", "attn_v" -> c.kvDim();
            case "attn_output", "ffn_down" -> c.dim();
            default -> c.ffn(); // ffn_gate, ffn_up
        };
    }

    /** Names of tensors from architectures Kiln does not run yet, with the feature they need. */
    private static String unsupported(String role) {
        if (role.equals("self_attn.o_proj.bias")) return "an attention output bias (o_proj.bias; the engine runs q/k/v biases only)";
        if (role.matches("self_attn\\.[qkv]_proj\\.bias")) {
            return "attention biases (as in Qwen2/2.5), which this config.json does not announce (model_type qwen2 does)";
        }
        if (role.matches("self_attn\\.[qk]_norm\\.weight")) {
            return "per-head q/k RMSNorm (as in Qwen3), which this config.json does not announce (model_type qwen3 does)";
        }
        if (role.matches("mlp\\.\\w+_proj\\.bias")) return "FFN biases";
        if (role.startsWith("mlp.experts.") || role.startsWith("block_sparse_moe.") || role.startsWith("mlp.gate.weight")) {
            return "a mixture of experts";
        }
        return null;
    }

    private static int layer(String s) {
        if (s.isEmpty() || s.length() > 6) return -1;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return -1;
        return Integer.parseInt(s);
    }
}
