package dev.kiln.reference;

import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeFrequencies;

/**
 * The CPU reference forward pass of a Llama-family model in f32, reading only our manifest and shards: the oracle
 * the GPU engine is tested against. Written like llama2.c's {@code forward}: flat, one step per line, all state
 * preallocated, nothing allocated per token.
 *
 * <pre>
 * x = token_embd[token]
 * for each layer:  q, k, v = wq · rmsNorm(x) (+ bq), wk · rmsNorm(x) (+ bk), wv · rmsNorm(x) (+ bv)
 *                  q, k = headRmsNorm(q, q_norm), headRmsNorm(k, k_norm)          (qk_norm only)
 *                  x += wo · attention(rope(q), rope(k), v)
 *                  x += w2 · (silu(w1 · rmsNorm(x)) * (w3 · rmsNorm(x)))
 * logits = output · rmsNorm(x)
 * </pre>
 */
public final class CpuModel {
    private final ModelConfig c;
    private final Weights w;
    private StepListener listener;

    // activations of the current position
    private final float[] x;      // (dim) residual stream
    private final float[] xb;     // (max(dim, qDim)) normed input / attention output
    private final float[] q;      // (qDim) queries
    private final float[] k;      // (kvDim) key of this position
    private final float[] v;      // (kvDim) value of this position
    private final float[] hb;     // (ffn) gate, then silu(gate) * up
    private final float[] hb2;    // (ffn) up
    private final float[] att;    // (context) attention scores of one head
    private final float[] logits; // (vocab)
    private final float[] qk;     // (qDim + 2·kvDim) q, k (and v) side by side, for the listener only
    private final float[] invFreq; // (headSize/2) RoPE inverse frequencies, scaling applied
    // KV cache
    private final float[][] keyCache;   // (layers, context * kvDim)
    private final float[][] valueCache; // (layers, context * kvDim)

    private CpuModel(ModelConfig c, Weights w) {
        this.c = c;
        this.w = w;
        x = new float[c.dim()];
        xb = new float[Math.max(c.dim(), c.qDim())];
        q = new float[c.qDim()];
        k = new float[c.kvDim()];
        v = new float[c.kvDim()];
        hb = new float[c.ffn()];
        hb2 = new float[c.ffn()];
        att = new float[c.context()];
        logits = new float[c.vocab()];
        qk = new float[c.qDim() + 2 * c.kvDim()];
        invFreq = RopeFrequencies.of(c);
        keyCache = new float[c.layers()][c.context() * c.kvDim()];
        valueCache = new float[c.layers()][c.context() * c.kvDim()];
    }

    /** Loads a packaged model, dequantizing every tensor to f32 once. */
    public static CpuModel load(Manifest m, ShardSource shards) {
        if (!m.config().architecture().equals("llama")) {
            throw new IllegalArgumentException("the CPU reference runs architecture 'llama', the manifest says '"
                    + m.config().architecture() + "'");
        }
        return new CpuModel(m.config(), Weights.load(m, shards));
    }

    public ModelConfig config() { return c; }

    /** Receives every step's result from now on; null to stop. */
    public void setListener(StepListener listener) { this.listener = listener; }

    /** Forgets all positions (clears the KV cache) for a new sequence. */
    public void reset() {
        for (float[] kc : keyCache) java.util.Arrays.fill(kc, 0f);
        for (float[] vc : valueCache) java.util.Arrays.fill(vc, 0f);
    }

    /**
     * Runs token {@code token} at position {@code pos} (positions 0..pos-1 must have run before, since the last
     * reset) and returns the logits. The array is reused: copy it to keep it past the next call.
     */
    public float[] forward(int token, int pos) {
        int dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), ffn = c.ffn(), hs = c.headSize();
        float eps = c.normEps();
        if (token < 0 || token >= c.vocab()) throw new IllegalArgumentException("token " + token + " is outside the vocabulary (0.." + (c.vocab() - 1) + ")");
        if (pos < 0 || pos >= c.context()) throw new IllegalArgumentException("position " + pos + " is outside the context (0.." + (c.context() - 1) + ")");

        System.arraycopy(w.tokenEmbd(), token * dim, x, 0, dim);                       emit(Step.EMBED, -1, x, dim);
        for (int l = 0; l < c.layers(); l++) {
            float[] kc = keyCache[l], vc = valueCache[l];
            // attention: xb = rmsNorm(x); q, k, v = projections; rotate q and k by pos; cache k and v
            Ops.rmsNorm(xb, x, w.attnNorm()[l], dim, eps);                              emit(Step.ATT_NORM, l, xb, dim);
            Ops.matVec(q, w.wq()[l], xb, qDim, dim);                                    emit(Step.Q, l, q, qDim);
            Ops.matVec(k, w.wk()[l], xb, kvDim, dim);                                   emit(Step.K, l, k, kvDim);
            Ops.matVec(v, w.wv()[l], xb, kvDim, dim);                                   emit(Step.V, l, v, kvDim);
            if (c.qkvBias()) {
                Ops.addBias(q, w.bq()[l], qDim);
                Ops.addBias(k, w.bk()[l], kvDim);
                Ops.addBias(v, w.bv()[l], kvDim);                                       emitQkv(Step.QKV_BIAS, l, true);
            }
            if (c.qkNorm()) {
                Ops.headRmsNorm(q, c.heads(), hs, w.qNorm()[l], eps);
                Ops.headRmsNorm(k, c.kvHeads(), hs, w.kNorm()[l], eps);                 emitQkv(Step.QK_NORM, l, false);
            }
            Ops.rope(q, c.heads(), hs, pos, invFreq, c.ropeStyle(), c.ropeScaling().attentionFactor());
            Ops.rope(k, c.kvHeads(), hs, pos, invFreq, c.ropeStyle(), c.ropeScaling().attentionFactor());
            System.arraycopy(k, 0, kc, pos * kvDim, kvDim);
            System.arraycopy(v, 0, vc, pos * kvDim, kvDim);                             emitQkv(Step.ROPE, l, false);
            // xb = softmax(q·kᵀ/√hs)·v per head, grouped-query; x += wo · xb
            Ops.attention(xb, q, kc, vc, att, pos, c.heads(), c.kvHeads(), hs);         emit(Step.ATT, l, xb, qDim);
            matVecAdd(x, w.wo()[l], xb, dim, qDim);                                     emit(Step.WO, l, x, dim);
            // feed-forward: xb = rmsNorm(x); x += w2 · (silu(w1 · xb) * (w3 · xb))
            Ops.rmsNorm(xb, x, w.ffnNorm()[l], dim, eps);                               emit(Step.FFN_NORM, l, xb, dim);
            Ops.matVec(hb, w.w1()[l], xb, ffn, dim);                                    emit(Step.W1, l, hb, ffn);
            Ops.matVec(hb2, w.w3()[l], xb, ffn, dim);                                   emit(Step.W3, l, hb2, ffn);
            Ops.siluMul(hb, hb2, ffn);                                                  emit(Step.SILU_MUL, l, hb, ffn);
            matVecAdd(x, w.w2()[l], hb, dim, ffn);                                      emit(Step.W2, l, x, dim);
        }
        Ops.rmsNorm(x, x, w.outputNorm(), dim, eps);                                    emit(Step.FINAL_NORM, -1, x, dim);
        Ops.matVec(logits, w.output(), x, c.vocab(), dim);                              emit(Step.LOGITS, -1, logits, c.vocab());
        return logits;
    }

    /** out[r] += Σ_c W[r, c] · x[c]: a projection added onto the residual stream. */
    private static void matVecAdd(float[] out, float[] w, float[] x, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            float sum = 0f;
            int base = r * cols;
            for (int i = 0; i < cols; i++) sum += w[base + i] * x[i];
            out[r] += sum;
        }
    }

    private void emit(Step step, int layer, float[] values, int n) {
        if (listener != null) listener.onStep(step, layer, values, n);
    }

    /** q then k (then v when {@code withV}) side by side, for steps that change several of them. */
    private void emitQkv(Step step, int layer, boolean withV) {
        if (listener == null) return;
        System.arraycopy(q, 0, qk, 0, q.length);
        System.arraycopy(k, 0, qk, q.length, k.length);
        if (withV) System.arraycopy(v, 0, qk, q.length + k.length, v.length);
        listener.onStep(step, layer, qk, q.length + k.length + (withV ? v.length : 0));
    }
}
