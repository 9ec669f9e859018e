package dev.kiln.packager.gguf;

import dev.kiln.json.Json;
import dev.kiln.packager.hf.HfWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One set of random weights written twice, the way each format's producer writes them: a Hugging Face checkpoint
 * (transformers' row order, rope_scaling in config.json) and a GGUF file as llama.cpp's convert_hf_to_gguf writes
 * it (llama: q/k rows permuted for interleaved pairs and Llama-3 scaling as a {@code rope_freqs.weight} tensor of
 * per-frequency divisors; qwen2/qwen3: rows as Hugging Face has them, for llama.cpp's NEOX RoPE). Both packages of
 * a twin must compute the same function.
 */
public final class TwinCheckpoint {
    /**
     * @param arch      GGUF general.architecture (llama, qwen2, qwen3); the Hugging Face model_type is the same
     * @param headDim   0 = dim / heads
     * @param llama3    Llama-3 RoPE scaling (factor 8, low 1, high 4, original context {@link #ORIGINAL_CONTEXT})
     */
    public record Arch(String arch, int dim, int layers, int heads, int kvHeads, int headDim, int ffn, boolean tied,
                       float theta, boolean llama3) {
        public int hs() { return headDim > 0 ? headDim : dim / heads; }
    }

    public static final int VOCAB = 272, CONTEXT = 64, ORIGINAL_CONTEXT = 64;
    public static final float FACTOR = 8f, LOW = 1f, HIGH = 4f;

    public final Arch a;
    /** Hugging Face name → values in Hugging Face's layout (row-major, transformers' q/k row order). */
    public final Map<String, float[]> w = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Random r;
    /** tokenizer_config.json's / tokenizer.chat_template's template; null writes none. */
    public String chatTemplate;

    public TwinCheckpoint(Arch a, long seed) {
        this.a = a;
        this.r = new Random(seed);
        int dim = a.dim(), hs = a.hs(), qDim = a.heads() * hs, kvDim = a.kvHeads() * hs;
        matrix("model.embed_tokens.weight", VOCAB, dim);
        for (int l = 0; l < a.layers(); l++) {
            String p = "model.layers." + l + ".";
            vector(p + "input_layernorm.weight", dim, 1f, 0.2f);
            matrix(p + "self_attn.q_proj.weight", qDim, dim);
            matrix(p + "self_attn.k_proj.weight", kvDim, dim);
            matrix(p + "self_attn.v_proj.weight", kvDim, dim);
            if (a.arch().equals("qwen2")) {
                vector(p + "self_attn.q_proj.bias", qDim, 0f, 0.5f);
                vector(p + "self_attn.k_proj.bias", kvDim, 0f, 2f);
                vector(p + "self_attn.v_proj.bias", kvDim, 0f, 0.5f);
            }
            if (a.arch().equals("qwen3")) {
                vector(p + "self_attn.q_norm.weight", hs, 1f, 0.3f);
                vector(p + "self_attn.k_norm.weight", hs, 1f, 0.3f);
            }
            matrix(p + "self_attn.o_proj.weight", dim, qDim);
            vector(p + "post_attention_layernorm.weight", dim, 1f, 0.2f);
            matrix(p + "mlp.gate_proj.weight", a.ffn(), dim);
            matrix(p + "mlp.up_proj.weight", a.ffn(), dim);
            matrix(p + "mlp.down_proj.weight", dim, a.ffn());
        }
        vector("model.norm.weight", dim, 1f, 0.2f);
        if (!a.tied()) matrix("lm_head.weight", VOCAB, dim);
    }

    /** Gaussian rows scaled by 1/√cols, so activations stay O(1) through the layers. */
    private void matrix(String name, int rows, int cols) {
        float[] v = new float[rows * cols];
        double s = 1 / Math.sqrt(cols);
        for (int i = 0; i < v.length; i++) v[i] = (float) (s * r.nextGaussian());
        w.put(name, v);
        shapes.put(name, new long[] {rows, cols});
    }

    private void vector(String name, int n, float mean, float spread) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = mean + spread * (float) r.nextGaussian();
        w.put(name, v);
        shapes.put(name, new long[] {n});
    }

    // ---- Hugging Face ----

    /** config.json, model.safetensors (F32), tokenizer.json, tokenizer_config.json into {@code dir}. */
    public Path writeHf(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model_type", a.arch());
        c.put("hidden_size", a.dim());
        c.put("intermediate_size", a.ffn());
        c.put("num_attention_heads", a.heads());
        c.put("num_key_value_heads", a.kvHeads());
        if (a.headDim() > 0) c.put("head_dim", a.headDim());
        c.put("num_hidden_layers", a.layers());
        c.put("vocab_size", VOCAB);
        c.put("max_position_embeddings", CONTEXT);
        c.put("rms_norm_eps", 1e-6);
        c.put("rope_theta", (double) a.theta());
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", a.tied());
        c.put("bos_token_id", 1);
        c.put("eos_token_id", 2);
        if (a.llama3()) {
            c.put("rope_scaling", Map.of("rope_type", "llama3", "factor", (double) FACTOR, "low_freq_factor", (double) LOW,
                    "high_freq_factor", (double) HIGH, "original_max_position_embeddings", ORIGINAL_CONTEXT));
        }
        Files.writeString(dir.resolve("config.json"), Json.writePretty(c));
        Map<String, HfWriter.T> t = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : w.entrySet()) {
            t.put(e.getKey(), new HfWriter.T(GgmlType.F32, shapes.get(e.getKey()), GgufWriter.f32Bytes(e.getValue())));
        }
        HfWriter.safetensors(dir.resolve("model.safetensors"), t);
        Files.writeString(dir.resolve("tokenizer.json"), hfTokenizer());
        Map<String, Object> tc = new LinkedHashMap<>();
        tc.put("add_bos_token", true);
        tc.put("bos_token", "<s>");
        tc.put("eos_token", Map.of("content", "</s>", "special", true)); // an AddedToken object, as transformers writes
        tc.put("unk_token", "<unk>");
        if (chatTemplate != null) tc.put("chat_template", chatTemplate);
        Files.writeString(dir.resolve("tokenizer_config.json"), Json.writePretty(tc));
        return dir;
    }

    /** A SentencePiece-style BPE with byte fallback (no merges): enough to package, the same tokens as the GGUF's. */
    private static String hfTokenizer() {
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int i = 0; i < VOCAB; i++) vocab.put(token(i), i);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("byte_fallback", true);
        model.put("unk_token", "<unk>");
        model.put("vocab", vocab);
        model.put("merges", List.of());
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("model", model);
        t.put("normalizer", Map.of("type", "Prepend", "prepend", "\u2581"));
        return Json.write(t);
    }

    private static String token(int i) {
        return i == 0 ? "<unk>" : i == 1 ? "<s>" : i == 2 ? "</s>" : i < 259 ? String.format("<0x%02X>", i - 3) : "\u2581t" + i;
    }

    // ---- GGUF ----

    /** The GGUF file convert_hf_to_gguf would write (F32), as version 3. */
    public Path writeGguf(Path file) throws IOException { return gguf().write(file); }

    public GgufWriter gguf() { return gguf(new GgufWriter(3)); }

    /** Fills {@code g} (a subclass may drop or change keys and tensors as they are added; more can follow). */
    public GgufWriter gguf(GgufWriter g) {
        String p = a.arch() + ".";
        int hs = a.hs();
        g.string("general.architecture", a.arch()).string("general.name", "twin-" + a.arch())
                .u32(p + "context_length", CONTEXT).u32(p + "embedding_length", a.dim()).u32(p + "block_count", a.layers())
                .u32(p + "feed_forward_length", a.ffn()).u32(p + "attention.head_count", a.heads())
                .u32(p + "attention.head_count_kv", a.kvHeads()).f32(p + "rope.freq_base", a.theta())
                .f32(p + "attention.layer_norm_rms_epsilon", 1e-6f);
        if (a.headDim() > 0) g.u32(p + "attention.key_length", hs).u32(p + "attention.value_length", hs);
        if (a.arch().equals("llama")) g.u32(p + "rope.dimension_count", hs);
        g.string("tokenizer.ggml.model", "llama");
        List<Object> tokens = new ArrayList<>(), scores = new ArrayList<>(), types = new ArrayList<>();
        for (int i = 0; i < VOCAB; i++) {
            tokens.add(token(i));
            scores.add(i < 259 ? 0f : (float) -i);
            types.add((long) (i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1));
        }
        g.kv("tokenizer.ggml.tokens", GgufValueType.ARRAY, new GgufArray(GgufValueType.STRING, tokens));
        g.kv("tokenizer.ggml.scores", GgufValueType.ARRAY, new GgufArray(GgufValueType.FLOAT32, scores));
        g.kv("tokenizer.ggml.token_type", GgufValueType.ARRAY, new GgufArray(GgufValueType.INT32, types));
        g.u32("tokenizer.ggml.bos_token_id", 1).u32("tokenizer.ggml.eos_token_id", 2).u32("tokenizer.ggml.unknown_token_id", 0);
        if (chatTemplate != null) g.string("tokenizer.chat_template", chatTemplate);

        // llama.cpp writes rope_freqs first, then token_embd, the blocks, output_norm, output
        if (a.llama3()) g.tensor("rope_freqs.weight", GgmlType.F32, new long[] {hs / 2}, 
                GgufWriter.f32Bytes(ropeFactors(a.theta(), hs, FACTOR, LOW, HIGH, ORIGINAL_CONTEXT)));
        tensor(g, "token_embd.weight", "model.embed_tokens.weight", 0);
        for (int l = 0; l < a.layers(); l++) {
            String h = "model.layers." + l + ".", b = "blk." + l + ".";
            boolean permute = a.arch().equals("llama"); // only LlamaModel.modify_tensors permutes q/k
            tensor(g, b + "attn_norm.weight", h + "input_layernorm.weight", 0);
            tensor(g, b + "attn_q.weight", h + "self_attn.q_proj.weight", permute ? a.heads() : 0);
            tensor(g, b + "attn_k.weight", h + "self_attn.k_proj.weight", permute ? a.kvHeads() : 0);
            tensor(g, b + "attn_v.weight", h + "self_attn.v_proj.weight", 0);
            if (a.arch().equals("qwen2")) {
                tensor(g, b + "attn_q.bias", h + "self_attn.q_proj.bias", 0);
                tensor(g, b + "attn_k.bias", h + "self_attn.k_proj.bias", 0);
                tensor(g, b + "attn_v.bias", h + "self_attn.v_proj.bias", 0);
            }
            if (a.arch().equals("qwen3")) {
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

    /** One tensor, ne = [cols, rows]; {@code permuteHeads} > 0 applies convert_hf_to_gguf's permute over that many heads. */
    private void tensor(GgufWriter g, String gguf, String hf, int permuteHeads) {
        long[] s = shapes.get(hf);
        float[] v = permuteHeads > 0 ? permute(w.get(hf), permuteHeads, (int) s[1]) : w.get(hf);
        g.tensor(gguf, GgmlType.F32, s.length == 1 ? new long[] {s[0]} : new long[] {s[1], s[0]}, GgufWriter.f32Bytes(v));
    }

    /**
     * convert_hf_to_gguf's {@code permute}: {@code w.reshape(n_head, 2, rows/n_head/2, cols).swapaxes(1, 2)}, i.e.
     * within each head, new row (i, j) ← old row (j, i) for i &lt; hs/2, j ∈ {0, 1}.
     */
    static float[] permute(float[] w, int heads, int cols) {
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
