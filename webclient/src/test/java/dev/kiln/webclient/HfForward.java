package dev.kiln.webclient;

import java.util.List;
import java.util.Map;

import dev.kiln.testsupport.SyntheticModel;

/**
 * The forward pass the way Hugging Face transformers computes it, in double, on a {@link SyntheticModel} checkpoint's
 * own tensors (no packaging, no permutation): q/k rows in Hugging Face order with rotate_half RoPE (pairs i and
 * i + headSize/2), inverse frequencies as {@code _compute_default_rope_parameters} / {@code _compute_llama3_parameters}
 * / linear / {@code _compute_longrope_parameters} (factors chosen by the length of the whole sequence, as
 * transformers' dynamic update does for one forward call over it; cos and sin times the attention factor), Qwen2 biases, Qwen3's q_norm/k_norm before RoPE, separate projections (Phi-3's fused ones are what the
 * writer stacked). Agreement with the CPU reference on the packaged model checks the packager's mapping end to end.
 */
final class HfForward {
    private HfForward() {}

    /** Logits after every position of {@code ids}: (ids.length, vocab). */
    static double[][] logits(SyntheticModel m, int[] ids) {
        SyntheticModel.Arch a = m.a;
        Map<String, float[]> w = m.w;
        int n = ids.length, dim = a.dim(), hs = a.hs(), heads = a.heads(), kv = a.kvHeads();
        double eps = 1e-6;
        double[] invFreq = invFreq(a, n);
        double scaling = attentionScaling(a);
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) x[t] = row(w.get("model.embed_tokens.weight"), ids[t], dim);
        for (int l = 0; l < a.layers(); l++) {
            String p = "model.layers." + l + ".";
            double[][] q = new double[n][], k = new double[n][], v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = rms(x[t], w.get(p + "input_layernorm.weight"), eps);
                q[t] = linear(w.get(p + "self_attn.q_proj.weight"), w.get(p + "self_attn.q_proj.bias"), h, heads * hs);
                k[t] = linear(w.get(p + "self_attn.k_proj.weight"), w.get(p + "self_attn.k_proj.bias"), h, kv * hs);
                v[t] = linear(w.get(p + "self_attn.v_proj.weight"), w.get(p + "self_attn.v_proj.bias"), h, kv * hs);
                if (a.qkNorm()) {
                    for (int hd = 0; hd < heads; hd++) normHead(q[t], hd * hs, hs, w.get(p + "self_attn.q_norm.weight"), eps);
                    for (int hd = 0; hd < kv; hd++) normHead(k[t], hd * hs, hs, w.get(p + "self_attn.k_norm.weight"), eps);
                }
                rotateHalf(q[t], heads, hs, t, invFreq, scaling);
                rotateHalf(k[t], kv, hs, t, invFreq, scaling);
            }
            for (int t = 0; t < n; t++) {
                double[] att = new double[heads * hs];
                for (int hd = 0; hd < heads; hd++) {
                    int g = hd / (heads / kv);
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int u = 0; u <= t; u++) {
                        for (int i = 0; i < hs; i++) s[u] += q[t][hd * hs + i] * k[u][g * hs + i];
                        s[u] /= Math.sqrt(hs);
                        max = Math.max(max, s[u]);
                    }
                    for (int u = 0; u <= t; u++) sum += s[u] = Math.exp(s[u] - max);
                    for (int u = 0; u <= t; u++) for (int i = 0; i < hs; i++) att[hd * hs + i] += s[u] / sum * v[u][g * hs + i];
                }
                add(x[t], linear(w.get(p + "self_attn.o_proj.weight"), null, att, dim));
                double[] h = rms(x[t], w.get(p + "post_attention_layernorm.weight"), eps);
                double[] gate = linear(w.get(p + "mlp.gate_proj.weight"), null, h, a.ffn());
                double[] up = linear(w.get(p + "mlp.up_proj.weight"), null, h, a.ffn());
                for (int i = 0; i < a.ffn(); i++) gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                add(x[t], linear(w.get(p + "mlp.down_proj.weight"), null, gate, dim));
            }
        }
        float[] head = a.tied() ? w.get("model.embed_tokens.weight") : w.get("lm_head.weight");
        double[][] out = new double[n][];
        for (int t = 0; t < n; t++) out[t] = linear(head, null, rms(x[t], w.get("model.norm.weight"), eps), SyntheticModel.VOCAB);
        return out;
    }

    /**
     * transformers' inverse frequencies: default, linear (÷ factor), llama3 (wavelength bands) or longrope
     * (1 / (ext · base^(2i/hs)), ext the long factors when the sequence is longer than the original context).
     */
    static double[] invFreq(SyntheticModel.Arch a, int seqLen) {
        int hs = a.hs();
        double[] f = new double[hs / 2];
        for (int i = 0; i < f.length; i++) f[i] = 1.0 / Math.pow(a.ropeTheta(), (2.0 * i) / hs);
        Map<String, Object> s = a.ropeScaling();
        if (s == null) return f;
        if (a.ropeType().equals("longrope")) {
            double original = ((Number) s.get("original_max_position_embeddings")).doubleValue();
            List<?> ext = (List<?>) s.get(seqLen > original ? "long_factor" : "short_factor");
            for (int i = 0; i < f.length; i++) f[i] = 1.0 / (((Number) ext.get(i)).doubleValue() * Math.pow(a.ropeTheta(), (2.0 * i) / hs));
            return f;
        }
        double factor = ((Number) s.get("factor")).doubleValue();
        if (a.ropeType().equals("linear")) {
            for (int i = 0; i < f.length; i++) f[i] /= factor;
            return f;
        }
        double low = ((Number) s.get("low_freq_factor")).doubleValue(), high = ((Number) s.get("high_freq_factor")).doubleValue();
        double old = ((Number) s.get("original_max_position_embeddings")).doubleValue();
        for (int i = 0; i < f.length; i++) {
            double wavelen = 2 * Math.PI / f[i];
            double scaled = wavelen > old / low ? f[i] / factor : f[i];
            double smooth = (old / wavelen - low) / (high - low);
            double smoothed = (1 - smooth) * scaled / factor + smooth * scaled;
            boolean medium = !(wavelen < old / high) && !(wavelen > old / low);
            f[i] = medium ? smoothed : scaled;
        }
        return f;
    }

    /**
     * What transformers multiplies cos and sin by: longrope's attention_factor, else √(1 + ln(max/original) /
     * ln original) with max = max_position_embeddings (Phi-3's ratio, not rope_scaling's factor), 1 when max ≤
     * original; 1 for the other types.
     */
    static double attentionScaling(SyntheticModel.Arch a) {
        if (!a.ropeType().equals("longrope")) return 1;
        Map<String, Object> s = a.ropeScaling();
        if (s.get("attention_factor") != null) return ((Number) s.get("attention_factor")).doubleValue();
        double original = ((Number) s.get("original_max_position_embeddings")).doubleValue();
        double factor = SyntheticModel.MAX_POSITIONS / original;
        return factor <= 1 ? 1 : Math.sqrt(1 + Math.log(factor) / Math.log(original));
    }

    /** rotate_half: x·cos + rotate_half(x)·sin, rotate_half(x) = (−x2, x1) over the two halves of each head; cos and sin scaled. */
    private static void rotateHalf(double[] v, int nHeads, int hs, int pos, double[] invFreq, double scaling) {
        int half = hs / 2;
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < half; i++) {
                int a = h * hs + i, b = a + half;
                double c = Math.cos(pos * invFreq[i]) * scaling, s = Math.sin(pos * invFreq[i]) * scaling;
                double x1 = v[a], x2 = v[b];
                v[a] = x1 * c - x2 * s;
                v[b] = x2 * c + x1 * s;
            }
        }
    }

    private static void normHead(double[] v, int off, int hs, float[] g, double eps) {
        double ms = 0;
        for (int i = 0; i < hs; i++) ms += v[off + i] * v[off + i] / hs;
        for (int i = 0; i < hs; i++) v[off + i] = v[off + i] / Math.sqrt(ms + eps) * g[i];
    }

    private static double[] rms(double[] x, float[] g, double eps) {
        double ms = 0;
        for (double e : x) ms += e * e / x.length;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] / Math.sqrt(ms + eps) * g[i];
        return out;
    }

    private static double[] linear(float[] wt, float[] bias, double[] x, int rows) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = bias == null ? 0 : bias[r];
            for (int c = 0; c < x.length; c++) s += wt[r * x.length + c] * x[c];
            out[r] = s;
        }
        return out;
    }

    private static double[] row(float[] m, int r, int cols) {
        double[] out = new double[cols];
        for (int c = 0; c < cols; c++) out[c] = m[r * cols + c];
        return out;
    }

    private static void add(double[] x, double[] d) { for (int i = 0; i < x.length; i++) x[i] += d[i]; }
}
