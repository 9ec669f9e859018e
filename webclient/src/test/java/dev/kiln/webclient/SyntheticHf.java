package dev.kiln.webclient;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.kiln.json.Json;
import dev.kiln.quant.Half;

/**
 * A random-weight checkpoint in Hugging Face layout, written by the test: {@code config.json}, one
 * {@code model.safetensors} (F32, F16 or BF16) and a byte-fallback BPE {@code tokenizer.json}. The weights are kept
 * (already rounded to their dtype, in Hugging Face's row order: q/k rows for rotate_half, fused projections as
 * separate q, k, v, gate, up) for {@link HfForward}, the reference that reads them the way transformers does.
 */
final class SyntheticHf {
    /** One architecture's shape and features. headDim 0 means dim / heads; scaling null means none. */
    record Arch(String name, String modelType, int dim, int layers, int heads, int kvHeads, int headDim, int ffn,
                boolean tied, String dtype, boolean qkvBias, boolean qkNorm, boolean fused, float ropeTheta,
                Map<String, Object> ropeScaling, int slidingWindow) {
        int hs() { return headDim > 0 ? headDim : dim / heads; }
    }

    static final int VOCAB = 272, MAX_POSITIONS = 64;

    final Arch a;
    final Map<String, float[]> w = new LinkedHashMap<>();      // Hugging Face name -> values (rounded to the dtype)
    final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Random r;

    SyntheticHf(Arch a, long seed) {
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

    /** Writes the checkpoint into {@code dir}; fused projections (Phi-3) are stacked here. */
    Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
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
        c.put("max_position_embeddings", MAX_POSITIONS);
        c.put("rms_norm_eps", 1e-6);
        c.put("rope_theta", (double) a.ropeTheta());
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", a.tied());
        c.put("bos_token_id", 1);
        c.put("eos_token_id", 2);
        if (a.modelType().equals("qwen3")) c.put("attention_bias", false);
        if (a.ropeScaling() != null) c.put("rope_scaling", a.ropeScaling());
        if (a.slidingWindow() > 0) c.put("sliding_window", a.slidingWindow());
        Files.writeString(dir.resolve("config.json"), Json.writePretty(c));
        Files.writeString(dir.resolve("tokenizer.json"), tokenizer());

        Map<String, float[]> out = new LinkedHashMap<>();
        Map<String, long[]> outShapes = new LinkedHashMap<>();
        for (String name : w.keySet()) {
            if (a.fused() && name.endsWith("self_attn.q_proj.weight")) {
                String p = name.substring(0, name.length() - "q_proj.weight".length());
                stack(out, outShapes, p + "qkv_proj.weight", p + "q_proj.weight", p + "k_proj.weight", p + "v_proj.weight");
            } else if (a.fused() && name.endsWith("mlp.gate_proj.weight")) {
                String p = name.substring(0, name.length() - "gate_proj.weight".length());
                stack(out, outShapes, p + "gate_up_proj.weight", p + "gate_proj.weight", p + "up_proj.weight");
            } else if (a.fused() && (name.matches(".*self_attn\\.[kv]_proj\\.weight") || name.endsWith("mlp.up_proj.weight"))) {
                continue; // stacked above
            } else {
                out.put(name, w.get(name));
                outShapes.put(name, shapes.get(name));
            }
        }
        safetensors(dir.resolve("model.safetensors"), out, outShapes);
        return dir;
    }

    private void stack(Map<String, float[]> out, Map<String, long[]> outShapes, String fused, String... parts) {
        List<Float> all = new ArrayList<>();
        long rows = 0;
        for (String p : parts) {
            for (float v : w.get(p)) all.add(v);
            rows += shapes.get(p)[0];
        }
        float[] v = new float[all.size()];
        for (int i = 0; i < v.length; i++) v[i] = all.get(i);
        out.put(fused, v);
        outShapes.put(fused, new long[] {rows, shapes.get(parts[0])[1]});
    }

    /** u64 header length, JSON header padded with spaces to 8 bytes, then the data in header order. */
    private void safetensors(Path file, Map<String, float[]> tensors, Map<String, long[]> shapesOf) throws IOException {
        int width = a.dtype().equals("F32") ? 4 : 2;
        Map<String, Object> h = new LinkedHashMap<>();
        long off = 0;
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("dtype", a.dtype());
            List<Object> shape = new ArrayList<>();
            for (long d : shapesOf.get(e.getKey())) shape.add(d);
            t.put("shape", shape);
            t.put("data_offsets", List.of(off, off + (long) width * e.getValue().length));
            off += (long) width * e.getValue().length;
            h.put(e.getKey(), t);
        }
        byte[] header = Json.write(h).getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        try (OutputStream o = Files.newOutputStream(file)) {
            for (int i = 0; i < 8; i++) o.write((int) ((long) padded >>> (8 * i)));
            o.write(header);
            for (int i = header.length; i < padded; i++) o.write(' ');
            for (float[] v : tensors.values()) {
                byte[] b = new byte[width * v.length];
                for (int i = 0; i < v.length; i++) {
                    int bits = switch (a.dtype()) {
                        case "F16" -> Half.fromFloat(v[i]);
                        case "BF16" -> Float.floatToRawIntBits(v[i]) >>> 16; // already a bf16 value: exact
                        default -> Float.floatToRawIntBits(v[i]);
                    };
                    for (int k = 0; k < width; k++) b[width * i + k] = (byte) (bits >>> (8 * k));
                }
                o.write(b);
            }
        }
    }

    /** A SentencePiece-style BPE with byte fallback over {@link #VOCAB} tokens (no merges): enough to package. */
    private static String tokenizer() {
        Map<String, Object> vocab = new LinkedHashMap<>();
        vocab.put("<unk>", 0);
        vocab.put("<s>", 1);
        vocab.put("</s>", 2);
        for (int b = 0; b < 256; b++) vocab.put(String.format("<0x%02X>", b), 3 + b);
        for (int id = 259; id < VOCAB; id++) vocab.put("\u2581t" + id, id);
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
}
