package dev.kiln.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import dev.kiln.json.Json;
import dev.kiln.quant.Half;

/**
 * A random-weight checkpoint written by the test — the one writer of synthetic models. The weights are kept in
 * Hugging Face's layout (row-major, transformers' q/k row order for rotate_half, fused projections as separate q,
 * k, v, gate, up; already rounded to the checkpoint's dtype) for references that compute the way transformers does,
 * and are written out as:
 * <ul>
 *   <li>a Hugging Face checkpoint ({@link #writeHf}): config.json with the family's keys (rope_scaling, Phi-3's
 *       top-level original_max_position_embeddings, sliding_window), one model.safetensors (Phi-3's projections
 *       fused), a SentencePiece-style byte-fallback tokenizer.json with the special tokens as added tokens, and
 *       tokenizer_config.json with the chat template;</li>
 *   <li>the GGUF file llama.cpp's convert_hf_to_gguf writes for it ({@link #writeGguf}; llama, qwen2, qwen3, F32):
 *       llama's q/k rows permuted for interleaved pairs and Llama-3 scaling as a {@code rope_freqs.weight} tensor of
 *       per-frequency divisors; qwen2/qwen3 rows as Hugging Face has them, for llama.cpp's NEOX RoPE.</li>
 * </ul>
 * Both forms of one model compute the same function.
 */
public final class SyntheticModel {
    /**
     * One architecture's shape and features; the family's flags follow its {@code modelType} as the packager reads
     * them (qwen2: q/k/v biases; qwen3: q/k norms; phi3: fused projections).
     *
     * @param headDim     0 = dim / heads
     * @param dtype       safetensors dtype of the Hugging Face weights: F32, F16 or BF16
     * @param ropeScaling config.json's rope_scaling, or null; for longrope its original_max_position_embeddings is
     *                    written at the top level of config.json, as Phi-3 has it
     * @param slidingWindow 0 = none
     */
    public record Arch(String name, String modelType, int dim, int layers, int heads, int kvHeads, int headDim, int ffn,
                       boolean tied, String dtype, float ropeTheta, Map<String, Object> ropeScaling, int slidingWindow) {
        public int hs() { return headDim > 0 ? headDim : dim / heads; }
        public boolean qkvBias() { return modelType.equals("qwen2"); }
        public boolean qkNorm() { return modelType.equals("qwen3"); }
        public boolean fused() { return modelType.equals("phi3"); }
        /** The rope_scaling type ("llama3", "linear", "longrope", …), or "" for none. */
        public String ropeType() {
            if (ropeScaling == null) return "";
            Object t = ropeScaling.containsKey("rope_type") ? ropeScaling.get("rope_type") : ropeScaling.get("type");
            return String.valueOf(t);
        }
    }

    public static final int VOCAB = 272, MAX_POSITIONS = 64;

    public final Arch a;
    /** Hugging Face name → values (rounded to the dtype). */
    public final Map<String, float[]> w = new LinkedHashMap<>();
    public final Map<String, long[]> shapes = new LinkedHashMap<>();
    /** tokenizer_config.json's and GGUF tokenizer.chat_template's template; null writes none. */
    public String chatTemplate;
    /** Added special tokens: id → text (CONTROL tokens in place of the filler token of that id). */
    public final Map<Integer, String> specialTokens = new TreeMap<>();
    /** End-of-sequence token id and text (config.json, tokenizer_config.json, GGUF). */
    public int eos = 2;
    /** max_position_embeddings / context_length: the context the engine allocates (chat tests need more than 64). */
    public int maxPositions = MAX_POSITIONS;
    public String eosText = "</s>";
    private final Random r;

    public SyntheticModel(Arch a, long seed) {
        this.a = a;
        this.r = new Random(seed);
        int dim = a.dim(), hs = a.hs(), qDim = a.heads() * hs, kvDim = a.kvHeads() * hs;
        matrix("model.embed_tokens.weight", VOCAB, dim, 1f);
        for (int l = 0; l < a.layers(); l++) {
            String p = "model.layers." + l + ".";
            vector(p + "input_layernorm.weight", dim, 1f, 0.2f);
            matrix(p + "self_attn.q_proj.weight", qDim, dim, 1f);
            matrix(p + "self_attn.k_proj.weight", kvDim, dim, 1f);
            matrix(p + "self_attn.v_proj.weight", kvDim, dim, 1f);
            if (a.qkvBias()) {
                vector(p + "self_attn.q_proj.bias", qDim, 0f, 0.5f);
                vector(p + "self_attn.k_proj.bias", kvDim, 0f, 2f); // Qwen's k biases are large
                vector(p + "self_attn.v_proj.bias", kvDim, 0f, 0.5f);
            }
            if (a.qkNorm()) {
                vector(p + "self_attn.q_norm.weight", hs, 1f, 0.3f);
                vector(p + "self_attn.k_norm.weight", hs, 1f, 0.3f);
            }
            matrix(p + "self_attn.o_proj.weight", dim, qDim, 1f);
            vector(p + "post_attention_layernorm.weight", dim, 1f, 0.2f);
            matrix(p + "mlp.gate_proj.weight", a.ffn(), dim, 1f);
            matrix(p + "mlp.up_proj.weight", a.ffn(), dim, 1f);
            matrix(p + "mlp.down_proj.weight", dim, a.ffn(), 1f);
        }
        vector("model.norm.weight", dim, 1f, 0.2f);
        if (!a.tied()) matrix("lm_head.weight", VOCAB, dim, 3f);
    }

    /** Gaussian rows scaled by 1/√cols (times gain), so activations stay O(1) through the layers. */
    private void matrix(String name, int rows, int cols, float gain) {
        float[] v = new float[rows * cols];
        double s = gain / Math.sqrt(cols);
        for (int i = 0; i < v.length; i++) v[i] = round((float) (s * r.nextGaussian()));
        w.put(name, v);
        shapes.put(name, new long[] {rows, cols});
    }

    private void vector(String name, int n, float mean, float spread) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = round(mean + spread * (float) r.nextGaussian());
        w.put(name, v);
        shapes.put(name, new long[] {n});
    }

    private float round(float v) {
        return switch (a.dtype()) {
            case "F16" -> Half.toFloat(Half.fromFloat(v));
            case "BF16" -> Float.intBitsToFloat(bf16(v) << 16);
            default -> v;
        };
    }

    /** Round to nearest even into the upper 16 bits (what torch's .to(bfloat16) does for finite values). */
    private static int bf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
    }

    /** Token {@code i}: specials, then {@code <unk> <s> </s>}, 256 byte tokens, filler pieces. */
    public String token(int i) {
        if (specialTokens.containsKey(i)) return specialTokens.get(i);
        return i == 0 ? "<unk>" : i == 1 ? "<s>" : i == 2 ? "</s>" : i < 259 ? String.format("<0x%02X>", i - 3) : "\u2581t" + i;
    }

    // ---- Hugging Face ----

    /** config.json, model.safetensors, tokenizer.json and tokenizer_config.json into {@code dir}. */
    public Path writeHf(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), Json.writePretty(config()));
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson());
        Map<String, Object> tc = new LinkedHashMap<>();
        tc.put("add_bos_token", true);
        tc.put("bos_token", "<s>");
        tc.put("eos_token", Map.of("content", eosText, "special", true)); // an AddedToken object, as transformers writes
        tc.put("unk_token", "<unk>");
        if (chatTemplate != null) tc.put("chat_template", chatTemplate);
        Files.writeString(dir.resolve("tokenizer_config.json"), Json.writePretty(tc));

        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (String name : w.keySet()) {
            if (a.fused() && name.endsWith("self_attn.q_proj.weight")) {
                String p = name.substring(0, name.length() - "q_proj.weight".length());
                out.put(p + "qkv_proj.weight", Safetensors.stack(hf(p + "q_proj.weight"), hf(p + "k_proj.weight"), hf(p + "v_proj.weight")));
            } else if (a.fused() && name.endsWith("mlp.gate_proj.weight")) {
                String p = name.substring(0, name.length() - "gate_proj.weight".length());
                out.put(p + "gate_up_proj.weight", Safetensors.stack(hf(p + "gate_proj.weight"), hf(p + "up_proj.weight")));
            } else if (!(a.fused() && (name.matches(".*self_attn\\.[kv]_proj\\.weight") || name.endsWith("mlp.up_proj.weight")))) {
                out.put(name, hf(name));
            }
        }
        Safetensors.write(dir.resolve("model.safetensors"), out);
        return dir;
    }

    private Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of(switch (a.modelType()) {
            case "qwen2" -> "Qwen2ForCausalLM";
            case "qwen3" -> "Qwen3ForCausalLM";
            case "mistral" -> "MistralForCausalLM";
            case "phi3" -> "Phi3ForCausalLM";
            default -> "LlamaForCausalLM";
        }));
        c.put("model_type", a.modelType());
        c.put("hidden_size", a.dim());
        c.put("intermediate_size", a.ffn());
        c.put("num_attention_heads", a.heads());
        c.put("num_key_value_heads", a.kvHeads());
        if (a.headDim() > 0) c.put("head_dim", a.headDim());
        c.put("num_hidden_layers", a.layers());
        c.put("vocab_size", VOCAB);
        c.put("max_position_embeddings", maxPositions);
        c.put("rms_norm_eps", 1e-6);
        c.put("rope_theta", (double) a.ropeTheta());
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", a.tied());
        c.put("bos_token_id", 1);
        c.put("eos_token_id", eos);
        if (a.modelType().equals("qwen3")) c.put("attention_bias", false);
        if (a.ropeScaling() != null) {
            Map<String, Object> rs = new LinkedHashMap<>(a.ropeScaling());
            if (a.ropeType().equals("longrope")) c.put("original_max_position_embeddings", rs.remove("original_max_position_embeddings"));
            c.put("rope_scaling", rs);
        }
        if (a.slidingWindow() > 0) c.put("sliding_window", a.slidingWindow());
        return c;
    }

    /** One tensor in the checkpoint's dtype. */
    private Safetensors.Tensor hf(String name) {
        float[] v = w.get(name);
        int width = a.dtype().equals("F32") ? 4 : 2;
        byte[] b = new byte[width * v.length];
        for (int i = 0; i < v.length; i++) {
            int bits = switch (a.dtype()) {
                case "F16" -> Half.fromFloat(v[i]);
                case "BF16" -> Float.floatToRawIntBits(v[i]) >>> 16; // already a bf16 value: exact
                default -> Float.floatToRawIntBits(v[i]);
            };
            for (int k = 0; k < width; k++) b[width * i + k] = (byte) (bits >>> (8 * k));
        }
        return new Safetensors.Tensor(a.dtype(), shapes.get(name), b);
    }

    /** A SentencePiece-style BPE with byte fallback over {@link #VOCAB} tokens (no merges), the specials added. */
    private String tokenizerJson() {
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int i = 0; i < VOCAB; i++) vocab.put(token(i), i);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("byte_fallback", true);
        model.put("unk_token", "<unk>");
        model.put("vocab", vocab);
        model.put("merges", List.of());
        List<Object> added = new ArrayList<>();
        for (Map.Entry<Integer, String> e : specialTokens.entrySet()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", e.getKey());
            t.put("content", e.getValue());
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
            added.add(t);
        }
        Map<String, Object> t = new LinkedHashMap<>();
        if (!added.isEmpty()) t.put("added_tokens", added);
        t.put("model", model);
        t.put("normalizer", Map.of("type", "Prepend", "prepend", "\u2581"));
        return Json.write(t);
    }

    // ---- GGUF ----

    /** The GGUF file convert_hf_to_gguf would write (F32), as version 3. */
    public Path writeGguf(Path file) throws IOException { return gguf(new GgufBytes(3)).write(file); }

    /** Fills {@code g} (a subclass may drop or change keys and tensors as they are added; more can follow). */
    public <G extends GgufBytes> G gguf(G g) {
        String arch = a.modelType();
        if (!List.of("llama", "qwen2", "qwen3").contains(arch)) throw new IllegalArgumentException("no GGUF layout for " + arch + " here");
        String p = arch + ".";
        int hs = a.hs();
        g.string("general.architecture", arch).string("general.name", "twin-" + arch);
        g.u32(p + "context_length", maxPositions).u32(p + "embedding_length", a.dim()).u32(p + "block_count", a.layers())
                .u32(p + "feed_forward_length", a.ffn()).u32(p + "attention.head_count", a.heads())
                .u32(p + "attention.head_count_kv", a.kvHeads()).f32(p + "rope.freq_base", a.ropeTheta())
                .f32(p + "attention.layer_norm_rms_epsilon", 1e-6f);
        if (a.headDim() > 0) g.u32(p + "attention.key_length", hs).u32(p + "attention.value_length", hs);
        if (arch.equals("llama")) g.u32(p + "rope.dimension_count", hs);
        g.string("tokenizer.ggml.model", "llama");
        List<Object> tokens = new ArrayList<>(), scores = new ArrayList<>(), types = new ArrayList<>();
        for (int i = 0; i < VOCAB; i++) {
            tokens.add(token(i));
            scores.add(i < 259 || specialTokens.containsKey(i) ? 0f : (float) -i);
            types.add((long) (i == 0 ? 2 : i < 3 || specialTokens.containsKey(i) ? 3 : i < 259 ? 6 : 1));
        }
        g.kv("tokenizer.ggml.tokens", GgufBytes.ARRAY, new GgufBytes.Array(GgufBytes.STRING, tokens));
        g.kv("tokenizer.ggml.scores", GgufBytes.ARRAY, new GgufBytes.Array(GgufBytes.FLOAT32, scores));
        g.kv("tokenizer.ggml.token_type", GgufBytes.ARRAY, new GgufBytes.Array(GgufBytes.INT32, types));
        g.u32("tokenizer.ggml.bos_token_id", 1).u32("tokenizer.ggml.eos_token_id", eos).u32("tokenizer.ggml.unknown_token_id", 0);
        if (chatTemplate != null) g.string("tokenizer.chat_template", chatTemplate);

        // llama.cpp writes rope_freqs first, then token_embd, the blocks, output_norm, output
        if (a.ropeType().equals("llama3")) {
            Map<String, Object> s = a.ropeScaling();
            g.tensor("rope_freqs.weight", GgufBytes.F32, new long[] {hs / 2}, GgufBytes.f32Bytes(ropeFactors(a.ropeTheta(), hs,
                    num(s, "factor"), num(s, "low_freq_factor"), num(s, "high_freq_factor"),
                    (int) num(s, "original_max_position_embeddings"))), null);
        } else if (a.ropeScaling() != null) {
            throw new IllegalArgumentException("no GGUF layout for rope_scaling " + a.ropeType() + " here");
        }
        tensor(g, "token_embd.weight", "model.embed_tokens.weight", 0);
        for (int l = 0; l < a.layers(); l++) {
            String h = "model.layers." + l + ".", b = "blk." + l + ".";
            boolean permute = arch.equals("llama"); // only LlamaModel.modify_tensors permutes q/k
            tensor(g, b + "attn_norm.weight", h + "input_layernorm.weight", 0);
            tensor(g, b + "attn_q.weight", h + "self_attn.q_proj.weight", permute ? a.heads() : 0);
            tensor(g, b + "attn_k.weight", h + "self_attn.k_proj.weight", permute ? a.kvHeads() : 0);
            tensor(g, b + "attn_v.weight", h + "self_attn.v_proj.weight", 0);
            if (a.qkvBias()) {
                tensor(g, b + "attn_q.bias", h + "self_attn.q_proj.bias", 0);
                tensor(g, b + "attn_k.bias", h + "self_attn.k_proj.bias", 0);
                tensor(g, b + "attn_v.bias", h + "self_attn.v_proj.bias", 0);
            }
            if (a.qkNorm()) {
                tensor(g, b + "attn_q_norm.weight", h + "self_attn.q_norm.weight", 0);
                tensor(g, b + "attn_k_norm.weight", h + "self_attn.k_norm.weight", 0);
            }
            tensor(g, b + "attn_output.weight", h + "self_attn.o_proj.weight", 0);
            tensor(g, b + "ffn_norm.weight", h + "post_attention_layernorm.weight", 0);
            tensor(g, b + "ffn_gate.weight", h + "mlp.gate_proj.weight", 0);
            tensor(g, b + "ffn_up.weight", h + "mlp.up_proj.weight", 0);
            tensor(g, b + "ffn_down.weight", h + "mlp.down_proj.weight", 0);
        }
        tensor(g, "output_norm.weight", "model.norm.weight", 0);
        if (!a.tied()) tensor(g, "output.weight", "lm_head.weight", 0);
        return g;
    }

    private static float num(Map<String, Object> m, String key) { return ((Number) m.get(key)).floatValue(); }

    /** One tensor, ne = [cols, rows]; {@code permuteHeads} > 0 applies convert_hf_to_gguf's permute over that many heads. */
    private void tensor(GgufBytes g, String gguf, String hf, int permuteHeads) {
        long[] s = shapes.get(hf);
        float[] v = permuteHeads > 0 ? permute(w.get(hf), permuteHeads, (int) s[1]) : w.get(hf);
        g.tensor(gguf, GgufBytes.F32, s.length == 1 ? new long[] {s[0]} : new long[] {s[1], s[0]}, GgufBytes.f32Bytes(v), null);
    }

    /**
     * convert_hf_to_gguf's {@code permute}: {@code w.reshape(n_head, 2, rows/n_head/2, cols).swapaxes(1, 2)}, i.e.
     * within each head, new row (i, j) ← old row (j, i) for i &lt; hs/2, j ∈ {0, 1}.
     */
    public static float[] permute(float[] w, int heads, int cols) {
        int rows = w.length / cols, hs = rows / heads, half = hs / 2;
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    System.arraycopy(w, (h * hs + j * half + i) * cols, out, (h * hs + 2 * i + j) * cols, cols);
                }
            }
        }
        return out;
    }

    /**
     * The {@code rope_freqs} values llama.cpp's converter writes for Llama 3.x (LlamaModel.generate_extra_tensors),
     * transcribed: freqs in f32 as torch computes them, then per frequency 1 (wavelength below original/high), factor
     * (above original/low), or 1 / ((1 − smooth) / factor + smooth) in between.
     */
    public static float[] ropeFactors(float base, int dim, float factor, float low, float high, int original) {
        float[] out = new float[dim / 2];
        double lowWavelen = original / low, highWavelen = original / high;
        for (int k = 0; k < out.length; k++) {
            float freq = (float) (1.0 / Math.pow(base, (float) (2 * k) / dim));
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highWavelen) out[k] = 1f;
            else if (wavelen > lowWavelen) out[k] = factor;
            else {
                double smooth = (original / wavelen - low) / (high - low);
                out[k] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return out;
    }
}
