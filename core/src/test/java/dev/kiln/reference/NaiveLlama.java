package dev.kiln.reference;

import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.TensorNames;

import java.util.Map;

/**
 * An independent, deliberately plain Llama forward in double precision over a whole sequence at once (no KV cache,
 * no shared code with {@link CpuModel} or {@link Ops}): the oracle for the CPU reference's own unit tests.
 */
final class NaiveLlama {
    private NaiveLlama() {}

    /** Logits after the last token of {@code tokens}. */
    static double[] logits(ModelConfig c, Map<String, float[]> w, int[] tokens) {
        int n = tokens.length, dim = c.dim(), hs = c.headSize();
        double[][] x = new double[n][dim];
        for (int t = 0; t < n; t++) for (int i = 0; i < dim; i++) x[t][i] = w.get(TensorNames.TOKEN_EMBD)[tokens[t] * dim + i];
        for (int l = 0; l < c.layers(); l++) {
            double[][] q = new double[n][], k = new double[n][], v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = norm(x[t], w.get(TensorNames.attnNorm(l)), c.normEps());
                q[t] = rotate(mul(w.get(TensorNames.attnQ(l)), h, c.qDim()), t, hs, c.ropeBase(), c.ropeStyle());
                k[t] = rotate(mul(w.get(TensorNames.attnK(l)), h, c.kvDim()), t, hs, c.ropeBase(), c.ropeStyle());
                v[t] = mul(w.get(TensorNames.attnV(l)), h, c.kvDim());
            }
            for (int t = 0; t < n; t++) {
                double[] out = new double[c.qDim()];
                for (int head = 0; head < c.heads(); head++) {
                    int kvHead = head / (c.heads() / c.kvHeads());
                    double[] score = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int s = 0; s <= t; s++) {
                        for (int i = 0; i < hs; i++) score[s] += q[t][head * hs + i] * k[s][kvHead * hs + i];
                        score[s] /= Math.sqrt(hs);
                        max = Math.max(max, score[s]);
                    }
                    for (int s = 0; s <= t; s++) sum += score[s] = Math.exp(score[s] - max);
                    for (int s = 0; s <= t; s++) for (int i = 0; i < hs; i++) out[head * hs + i] += score[s] / sum * v[s][kvHead * hs + i];
                }
                add(x[t], mul(w.get(TensorNames.attnOutput(l)), out, dim));
                double[] h = norm(x[t], w.get(TensorNames.ffnNorm(l)), c.normEps());
                double[] gate = mul(w.get(TensorNames.ffnGate(l)), h, c.ffn()), up = mul(w.get(TensorNames.ffnUp(l)), h, c.ffn());
                for (int i = 0; i < c.ffn(); i++) gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                add(x[t], mul(w.get(TensorNames.ffnDown(l)), gate, dim));
            }
        }
        double[] h = norm(x[n - 1], w.get(TensorNames.OUTPUT_NORM), c.normEps());
        float[] head = w.containsKey(TensorNames.OUTPUT) ? w.get(TensorNames.OUTPUT) : w.get(TensorNames.TOKEN_EMBD);
        return mul(head, h, c.vocab());
    }

    private static double[] norm(double[] x, float[] g, double eps) {
        double ms = 0;
        for (double v : x) ms += v * v / x.length;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] / Math.sqrt(ms + eps) * g[i];
        return out;
    }

    private static double[] mul(float[] m, double[] x, int rows) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) for (int c = 0; c < x.length; c++) out[r] += m[r * x.length + c] * x[c];
        return out;
    }

    private static void add(double[] x, double[] d) { for (int i = 0; i < x.length; i++) x[i] += d[i]; }

    /** RoPE written from the definition: the complex pair (a, b) of frequency index i turns by pos·base^(-2i/hs). */
    private static double[] rotate(double[] v, int pos, int hs, double base, RopeStyle style) {
        double[] out = v.clone();
        for (int h = 0; h < v.length / hs; h++) {
            for (int i = 0; i < hs / 2; i++) {
                int a = style == RopeStyle.INTERLEAVED ? h * hs + 2 * i : h * hs + i;
                int b = style == RopeStyle.INTERLEAVED ? a + 1 : a + hs / 2;
                double angle = pos * Math.pow(base, -2.0 * i / hs);
                out[a] = v[a] * Math.cos(angle) - v[b] * Math.sin(angle);
                out[b] = v[a] * Math.sin(angle) + v[b] * Math.cos(angle);
            }
        }
        return out;
    }
}
