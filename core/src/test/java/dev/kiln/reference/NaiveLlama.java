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
                q[t] = mul(w.get(TensorNames.attnQ(l)), h, c.qDim());
                k[t] = mul(w.get(TensorNames.attnK(l)), h, c.kvDim());
                v[t] = mul(w.get(TensorNames.attnV(l)), h, c.kvDim());
                if (c.qkvBias()) {
                    add(q[t], w.get(TensorNames.attnQBias(l)));
                    add(k[t], w.get(TensorNames.attnKBias(l)));
                    add(v[t], w.get(TensorNames.attnVBias(l)));
                }
                if (c.qkNorm()) {
                    q[t] = perHead(q[t], hs, w.get(TensorNames.attnQNorm(l)), c.normEps());
                    k[t] = perHead(k[t], hs, w.get(TensorNames.attnKNorm(l)), c.normEps());
                }
                q[t] = rotate(q[t], t, hs, c);
                k[t] = rotate(k[t], t, hs, c);
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

    private static void add(double[] x, float[] d) { for (int i = 0; i < x.length; i++) x[i] += d[i]; }

    /** Each head of hs elements normed on its own, with the one weight vector g (hs). */
    private static double[] perHead(double[] v, int hs, float[] g, double eps) {
        double[] out = new double[v.length];
        for (int h = 0; h < v.length / hs; h++) {
            double[] head = java.util.Arrays.copyOfRange(v, h * hs, (h + 1) * hs);
            System.arraycopy(norm(head, g, eps), 0, out, h * hs, hs);
        }
        return out;
    }

    /**
     * The angular frequency of pair i, written from the papers rather than from RopeFrequencies: plain
     * base^(-2i/hs); linear divides it by the factor (positions squeezed); llama3 keeps wavelengths shorter than
     * original/high, divides those longer than original/low by the factor, and blends linearly in 1/wavelength
     * between.
     */
    static double frequency(ModelConfig c, int i) {
        int hs = c.headSize();
        double f = Math.pow(c.ropeBase(), -2.0 * i / hs);
        dev.kiln.model.RopeScaling s = c.ropeScaling();
        switch (s.type()) {
            case NONE: return f;
            case LINEAR: return f / s.factor();
            default: {
                double cycles = s.originalContext() * f / (2 * Math.PI); // turns over the original context
                if (cycles > s.highFreqFactor()) return f;               // fast: kept
                if (cycles < s.lowFreqFactor()) return f / s.factor();   // slow: stretched
                double t = (cycles - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                return t * f + (1 - t) * f / s.factor();
            }
        }
    }

    /** RoPE written from the definition: the complex pair (a, b) of frequency index i turns by pos·frequency(i). */
    private static double[] rotate(double[] v, int pos, int hs, ModelConfig c) {
        RopeStyle style = c.ropeStyle();
        double[] out = v.clone();
        for (int h = 0; h < v.length / hs; h++) {
            for (int i = 0; i < hs / 2; i++) {
                int a = style == RopeStyle.INTERLEAVED ? h * hs + 2 * i : h * hs + i;
                int b = style == RopeStyle.INTERLEAVED ? a + 1 : a + hs / 2;
                double angle = pos * frequency(c, i);
                out[a] = v[a] * Math.cos(angle) - v[b] * Math.sin(angle);
                out[b] = v[a] * Math.sin(angle) + v[b] * Math.cos(angle);
            }
        }
        return out;
    }
}
