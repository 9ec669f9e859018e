package dev.kiln.reference;

import dev.kiln.model.RopeFrequencies;
import dev.kiln.model.RopeScaling;
import dev.kiln.model.RopeStyle;

/**
 * The math of one transformer step on the CPU, in f32, one static block per operation. These are the twins every
 * WGSL kernel is tested against, and the building blocks of the CPU reference forward.
 */
public final class Ops {
    private Ops() {}

    /** out[i] = x[i] / sqrt(mean(x²) + eps) * w[i], over n elements. */
    public static void rmsNorm(float[] out, float[] x, float[] w, int n, float eps) {
        float ss = 0f;
        for (int i = 0; i < n; i++) ss += x[i] * x[i];
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) out[i] = x[i] * scale * w[i];
    }

    /** out[r] = Σ_c W[r, c] · x[c] for a row-major rows×cols W. */
    public static void matVec(float[] out, float[] w, float[] x, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            float sum = 0f;
            int base = r * cols;
            for (int c = 0; c < cols; c++) sum += w[base + c] * x[c];
            out[r] = sum;
        }
    }

    /** out[r] += Σ_c W[r, c] · x[c]: a projection added onto the residual stream. */
    public static void matVecAdd(float[] out, float[] w, float[] x, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            float sum = 0f;
            int base = r * cols;
            for (int c = 0; c < cols; c++) sum += w[base + c] * x[c];
            out[r] += sum;
        }
    }

    /** Per-head RMSNorm in place: each of the nHeads heads of headSize elements normed with the shared w (headSize). */
    public static void headRmsNorm(float[] v, int nHeads, int headSize, float[] w, float eps) {
        for (int h = 0; h < nHeads; h++) {
            int o = h * headSize;
            float ss = 0f;
            for (int i = 0; i < headSize; i++) ss += v[o + i] * v[o + i];
            float scale = (float) (1.0 / Math.sqrt(ss / headSize + eps));
            for (int i = 0; i < headSize; i++) v[o + i] = v[o + i] * scale * w[i];
        }
    }

    /** v[i] += b[i] over n elements. */
    public static void addBias(float[] v, float[] b, int n) {
        for (int i = 0; i < n; i++) v[i] += b[i];
    }

    /** {@link #rope(float[], int, int, int, float[], RopeStyle)} with the plain frequencies base^(−2i/headSize). */
    public static void rope(float[] v, int nHeads, int headSize, int pos, float base, RopeStyle style) {
        rope(v, nHeads, headSize, pos, RopeFrequencies.of(base, headSize, RopeScaling.NONE), style);
    }

    /**
     * Rotary position embedding over {@code nHeads} heads of {@code headSize} in place. Pair (a, b) of head dim
     * index i (0 ≤ i < headSize/2) turns by angle pos · invFreq[i] ({@link RopeFrequencies}); the style says which
     * elements pair up.
     */
    public static void rope(float[] v, int nHeads, int headSize, int pos, float[] invFreq, RopeStyle style) {
        rope(v, nHeads, headSize, pos, invFreq, style, 1f);
    }

    /**
     * {@link #rope(float[], int, int, int, float[], RopeStyle)}, then both elements of every pair times
     * {@code scale}: LongRoPE's attention factor ({@link RopeScaling#attentionFactor()}), which transformers
     * multiplies into cos and sin. 1 leaves the rotation bit for bit unchanged.
     */
    public static void rope(float[] v, int nHeads, int headSize, int pos, float[] invFreq, RopeStyle style, float scale) {
        int half = headSize / 2;
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < half; i++) {
                double angle = pos * (double) invFreq[i];
                float cos = (float) Math.cos(angle) * scale, sin = (float) Math.sin(angle) * scale;
                int a = h * headSize + (style == RopeStyle.INTERLEAVED ? 2 * i : i);
                int b = style == RopeStyle.INTERLEAVED ? a + 1 : a + half;
                float x0 = v[a], x1 = v[b];
                v[a] = x0 * cos - x1 * sin;
                v[b] = x0 * sin + x1 * cos;
            }
        }
    }

    /** Softmax over x[0..n) in place, subtracting the maximum first so exp never overflows. */
    public static void softmax(float[] x, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[offset + i]);
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[offset + i] - max);
            x[offset + i] = e;
            sum += e;
        }
        for (int i = 0; i < n; i++) x[offset + i] /= sum;
    }

    /** SiLU(x) = x · σ(x). */
    public static float silu(float x) { return x / (1f + (float) Math.exp(-x)); }

    /** hb[i] = SiLU(hb[i]) · hb2[i]: the SwiGLU gate. */
    public static void siluMul(float[] hb, float[] hb2, int n) {
        for (int i = 0; i < n; i++) hb[i] = silu(hb[i]) * hb2[i];
    }

    /**
     * Grouped-query attention for one position over a KV cache of {@code pos + 1} rows.
     * For query head h (KV head h / group): att[t] = softmax_t(q_h · k_t / sqrt(headSize)); out_h = Σ_t att[t] · v_t.
     *
     * @param out    (heads*headSize) result
     * @param q      (heads*headSize) rotated queries
     * @param kCache (context, kvHeads*headSize) rotated keys of this layer
     * @param vCache (context, kvHeads*headSize) values of this layer
     * @param att    (context) scratch
     */
    public static void attention(float[] out, float[] q, float[] kCache, float[] vCache, float[] att, int pos,
                                 int heads, int kvHeads, int headSize) {
        int kvDim = kvHeads * headSize;
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(headSize));
        for (int h = 0; h < heads; h++) {
            int qo = h * headSize;
            int ko = (h / group) * headSize;
            for (int t = 0; t <= pos; t++) {
                float s = 0f;
                for (int i = 0; i < headSize; i++) s += q[qo + i] * kCache[t * kvDim + ko + i];
                att[t] = s * scale;
            }
            softmax(att, 0, pos + 1);
            for (int i = 0; i < headSize; i++) {
                float acc = 0f;
                for (int t = 0; t <= pos; t++) acc += att[t] * vCache[t * kvDim + ko + i];
                out[qo + i] = acc;
            }
        }
    }

    /**
     * The batched twins of prefill: {@link #matVec} (or {@link #matVecAdd}) of each of {@code rows} rows of {@code x}
     * (rows, cols) into {@code out} (rows, n).
     */
    public static void matMul(float[] out, float[] w, float[] x, int rows, int n, int cols, boolean accumulate) {
        float[] xr = new float[cols], yr = new float[n];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, r * cols, xr, 0, cols);
            System.arraycopy(out, r * n, yr, 0, n);
            if (accumulate) matVecAdd(yr, w, xr, n, cols);
            else matVec(yr, w, xr, n, cols);
            System.arraycopy(yr, 0, out, r * n, n);
        }
    }

    /**
     * {@link #attention} of each of {@code rows} rows of {@code q} (rows, heads, headSize) at its own position
     * {@code pos + r}, over one layer's caches (context, kvDim) that already hold the rows' keys and values.
     */
    public static void causalAttention(float[] out, float[] q, float[] kCache, float[] vCache, int pos, int rows,
                                       int heads, int kvHeads, int headSize) {
        int qDim = heads * headSize;
        float[] qr = new float[qDim], or = new float[qDim], att = new float[pos + rows];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(q, r * qDim, qr, 0, qDim);
            attention(or, qr, kCache, vCache, att, pos + r, heads, kvHeads, headSize);
            System.arraycopy(or, 0, out, r * qDim, qDim);
        }
    }
}
