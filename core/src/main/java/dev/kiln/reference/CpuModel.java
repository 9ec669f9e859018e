package dev.kiln.reference;

import java.util.Arrays;
import java.util.List;

import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeFrequencies;
import dev.kiln.recipe.Act;
import dev.kiln.recipe.Recipe;
import dev.kiln.recipe.Stage;
import dev.kiln.recipe.Step;

/**
 * The CPU reference forward pass in f32, reading only our manifest and shards: the oracle the GPU engine is tested
 * against. It executes the model's {@link Recipe} stage by stage with {@link Ops} (the recipe is where the math reads
 * top to bottom, like llama2.c's {@code forward}); all state is preallocated and nothing is allocated per token.
 */
public final class CpuModel {
    private final ModelConfig c;
    private final Recipe recipe;
    private final Stage[] stages;   // body then head
    private final float[][][] w;    // (stages)(weights of the stage), dequantized
    private StepListener listener;

    private final float[][] act;         // (Act) one array per activation of the current position; null for caches
    private final float[][][] cache;     // (K_CACHE/V_CACHE, layers, context * kvDim)
    private final float[] att;           // (context) attention scores of one head
    private final float[] result;        // (max result width) several results side by side, for the listener only
    private final float[] invFreq;       // (headSize/2) RoPE inverse frequencies, scaling applied

    private CpuModel(Recipe recipe, float[][][] w) {
        this.c = recipe.config();
        this.recipe = recipe;
        List<Stage> all = recipe.stages();
        this.stages = all.toArray(new Stage[0]);
        this.w = w;
        act = new float[Act.values().length][];
        for (Act a : Act.values()) if (!a.isCache() && a != Act.TOKENS && a != Act.ATT) act[a.ordinal()] = new float[a.width(c)];
        cache = new float[2][c.layers()][c.context() * c.kvDim()];
        att = new float[c.context()];
        int widest = 0;
        for (Stage s : stages) widest = Math.max(widest, s.resultWidth(c));
        result = new float[widest];
        invFreq = RopeFrequencies.of(c);
    }

    /** Loads a packaged model, dequantizing every tensor its recipe reads to f32 once. */
    public static CpuModel load(Manifest m, ShardSource shards) {
        Recipe recipe = Recipe.of(m);
        return new CpuModel(recipe, Weights.load(m, shards, recipe.stages()));
    }

    public ModelConfig config() { return c; }

    public Recipe recipe() { return recipe; }

    /** Receives every stage's result from now on; null to stop. */
    public void setListener(StepListener listener) { this.listener = listener; }

    /** Forgets all positions (clears the KV cache) for a new sequence. */
    public void reset() {
        for (float[][] kind : cache) for (float[] layer : kind) Arrays.fill(layer, 0f);
    }

    /**
     * Runs token {@code token} at position {@code pos} (positions 0..pos-1 must have run before, since the last
     * reset) and returns the logits. The array is reused: copy it to keep it past the next call.
     */
    public float[] forward(int token, int pos) {
        if (token < 0 || token >= c.vocab()) throw new IllegalArgumentException("token " + token + " is outside the vocabulary (0.." + (c.vocab() - 1) + ")");
        if (pos < 0 || pos >= c.context()) throw new IllegalArgumentException("position " + pos + " is outside the context (0.." + (c.context() - 1) + ")");
        for (int i = 0; i < stages.length; i++) {
            run(stages[i], w[i], token, pos);
            if (listener != null) emit(stages[i]);
        }
        return act[Act.LOGITS.ordinal()];
    }

    /** One stage: the op's CPU twin on the stage's activations and weights. */
    private void run(Stage s, float[][] ws, int token, int pos) {
        float eps = c.normEps();
        int hs = c.headSize();
        switch (s.op()) {
            case EMBED -> System.arraycopy(ws[0], token * c.dim(), a(s.out(), 0), 0, c.dim());
            case RMS_NORM -> Ops.rmsNorm(a(s.out(), 0), a(s.in(), 0), ws[0], c.dim(), eps);
            case MAT_VEC -> {
                float[] out = a(s.out(), 0), in = a(s.in(), 0);
                int rows = s.weights().get(0).rows(), cols = s.weights().get(0).cols();
                if (s.accumulate()) Ops.matVecAdd(out, ws[0], in, rows, cols);
                else Ops.matVec(out, ws[0], in, rows, cols);
            }
            case QKV_BIAS -> {
                for (int i = 0; i < 3; i++) Ops.addBias(a(s.out(), i), ws[i], s.weights().get(i).cols());
            }
            case QK_NORM -> {
                Ops.headRmsNorm(a(s.out(), 0), c.heads(), hs, ws[0], eps);
                Ops.headRmsNorm(a(s.out(), 1), c.kvHeads(), hs, ws[1], eps);
            }
            case ROPE -> {
                float[] q = a(s.in(), 0), k = a(s.in(), 1), v = a(s.in(), 2);
                Ops.rope(q, c.heads(), hs, pos, invFreq, c.ropeStyle(), c.ropeScaling().attentionFactor());
                Ops.rope(k, c.kvHeads(), hs, pos, invFreq, c.ropeStyle(), c.ropeScaling().attentionFactor());
                System.arraycopy(k, 0, cache[0][s.layer()], pos * c.kvDim(), c.kvDim());
                System.arraycopy(v, 0, cache[1][s.layer()], pos * c.kvDim(), c.kvDim());
            }
            case ATTENTION -> Ops.attention(act[Act.XB2.ordinal()], a(s.in(), 0), cache[0][s.layer()], cache[1][s.layer()],
                    att, pos, c.heads(), c.kvHeads(), hs);
            case SILU_MUL -> Ops.siluMul(a(s.out(), 0), a(s.in(), 1), c.ffn());
        }
    }

    private float[] a(List<Act> acts, int i) { return act[acts.get(i).ordinal()]; }

    /** The stage's result activations side by side (one of them: the live buffer itself). */
    private void emit(Stage s) {
        List<Act> r = s.result();
        if (r.size() == 1) {
            listener.onStep(s.step(), s.layer(), act[r.get(0).ordinal()], r.get(0).width(c));
            return;
        }
        int n = 0;
        for (Act a : r) {
            System.arraycopy(act[a.ordinal()], 0, result, n, a.width(c));
            n += a.width(c);
        }
        listener.onStep(s.step(), s.layer(), result, n);
    }
}
