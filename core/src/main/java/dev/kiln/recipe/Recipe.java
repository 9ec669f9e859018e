package dev.kiln.recipe;

import static dev.kiln.recipe.Act.ATT;
import static dev.kiln.recipe.Act.HB;
import static dev.kiln.recipe.Act.HB2;
import static dev.kiln.recipe.Act.K;
import static dev.kiln.recipe.Act.K_CACHE;
import static dev.kiln.recipe.Act.LOGITS;
import static dev.kiln.recipe.Act.Q;
import static dev.kiln.recipe.Act.TOKENS;
import static dev.kiln.recipe.Act.V;
import static dev.kiln.recipe.Act.V_CACHE;
import static dev.kiln.recipe.Act.X;
import static dev.kiln.recipe.Act.XB;
import static dev.kiln.recipe.Act.XB2;

import java.util.ArrayList;
import java.util.List;

import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.TensorNames;

/**
 * The forward pass of one position as data: the one description of a model's computation. The CPU reference
 * ({@code CpuModel}) executes it with {@code Ops}; the GPU engine compiles it to dispatches; a step-by-step comparison
 * walks it. A model family is a variant of {@link #of}, derived from the manifest's config: nothing else in the
 * engine or the reference decides which steps run.
 *
 * <pre>
 * x = token_embd[token]
 * for each layer:  xb = rmsNorm(x, attn_norm)
 *                  q, k, v = wq · xb, wk · xb, wv · xb
 *                  q, k, v += bq, bk, bv                                   (qkv_bias: Qwen2/2.5)
 *                  q, k = headRmsNorm(q, q_norm), headRmsNorm(k, k_norm)   (qk_norm: Qwen3)
 *                  q, k = rope(q, pos), rope(k, pos); cache[pos] = k, v
 *                  x += wo · attention(q, cache)
 *                  xb = rmsNorm(x, ffn_norm)
 *                  x += w2 · (silu(w1 · xb) * (w3 · xb))
 * logits = output · rmsNorm(x, output_norm)                                (output = token_embd when tied)
 * </pre>
 *
 * @param config the hyper-parameters it was derived from
 * @param body   EMBED and every layer's stages: what prefill runs for each prompt position
 * @param head   FINAL_NORM and LOGITS: what runs where a token is sampled
 */
public record Recipe(ModelConfig config, List<Stage> body, List<Stage> head) {

    public Recipe {
        body = List.copyOf(body);
        head = List.copyOf(head);
    }

    /** The recipe of a packaged model: its config, and whether it has its own LM head ("output"). */
    public static Recipe of(Manifest m) {
        return of(m.config(), m.hasTensor(TensorNames.OUTPUT) && !m.config().tiedEmbeddings());
    }

    /**
     * The stages of the llama family and its variants, top to bottom.
     *
     * @param separateLmHead the LM head is the tensor "output"; otherwise it is the token embedding (tied)
     */
    public static Recipe of(ModelConfig c, boolean separateLmHead) {
        if (!c.architecture().equals("llama")) {
            throw new IllegalArgumentException("no forward recipe for architecture '" + c.architecture()
                    + "': this version runs 'llama' and its variants (re-package the model with this version's packager)");
        }
        int dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), ffn = c.ffn(), hs = c.headSize();
        Builder b = new Builder();
        b.add(Step.EMBED, -1, Op.EMBED, List.of(TOKENS), List.of(X), w(TensorNames.TOKEN_EMBD, c.vocab(), dim));
        for (int l = 0; l < c.layers(); l++) {
            // attention: xb = rmsNorm(x); q, k, v = projections (+ biases, per-head norms); rope; cache; x += wo · att
            b.add(Step.ATT_NORM, l, Op.RMS_NORM, List.of(X), List.of(XB), Weight.vector(TensorNames.attnNorm(l), dim));
            b.add(Step.Q, l, Op.MAT_VEC, List.of(XB), List.of(Q), w(TensorNames.attnQ(l), qDim, dim));
            b.add(Step.K, l, Op.MAT_VEC, List.of(XB), List.of(K), w(TensorNames.attnK(l), kvDim, dim));
            b.add(Step.V, l, Op.MAT_VEC, List.of(XB), List.of(V), w(TensorNames.attnV(l), kvDim, dim));
            if (c.qkvBias()) {
                b.add(Step.QKV_BIAS, l, Op.QKV_BIAS, List.of(Q, K, V), List.of(Q, K, V),
                        Weight.vector(TensorNames.attnQBias(l), qDim), Weight.vector(TensorNames.attnKBias(l), kvDim),
                        Weight.vector(TensorNames.attnVBias(l), kvDim));
            }
            if (c.qkNorm()) {
                b.add(Step.QK_NORM, l, Op.QK_NORM, List.of(Q, K), List.of(Q, K),
                        Weight.vector(TensorNames.attnQNorm(l), hs), Weight.vector(TensorNames.attnKNorm(l), hs));
            }
            b.stage(new Stage(Step.ROPE, l, Op.ROPE, List.of(Q, K, V), List.of(Q, K, K_CACHE, V_CACHE), List.of(Q, K),
                    List.of(), false));
            b.stage(new Stage(Step.ATT, l, Op.ATTENTION, List.of(Q, K_CACHE, V_CACHE), List.of(ATT, XB2), List.of(XB2),
                    List.of(), false));
            b.residual(Step.WO, l, XB2, w(TensorNames.attnOutput(l), dim, qDim));
            // feed-forward: xb = rmsNorm(x); hb = silu(w1 · xb) * (w3 · xb); x += w2 · hb
            b.add(Step.FFN_NORM, l, Op.RMS_NORM, List.of(X), List.of(XB), Weight.vector(TensorNames.ffnNorm(l), dim));
            b.add(Step.W1, l, Op.MAT_VEC, List.of(XB), List.of(HB), w(TensorNames.ffnGate(l), ffn, dim));
            b.add(Step.W3, l, Op.MAT_VEC, List.of(XB), List.of(HB2), w(TensorNames.ffnUp(l), ffn, dim));
            b.add(Step.SILU_MUL, l, Op.SILU_MUL, List.of(HB, HB2), List.of(HB));
            b.residual(Step.W2, l, HB, w(TensorNames.ffnDown(l), dim, ffn));
        }
        List<Stage> body = b.done();
        // xb = rmsNorm(x, output_norm); logits = output · xb
        b.add(Step.FINAL_NORM, -1, Op.RMS_NORM, List.of(X), List.of(XB), Weight.vector(TensorNames.OUTPUT_NORM, dim));
        b.add(Step.LOGITS, -1, Op.MAT_VEC, List.of(XB), List.of(LOGITS),
                w(separateLmHead ? TensorNames.OUTPUT : TensorNames.TOKEN_EMBD, c.vocab(), dim));
        return new Recipe(c, body, b.done());
    }

    /** Body then head: every stage of one sampled position, in order. */
    public List<Stage> stages() {
        List<Stage> all = new ArrayList<>(body);
        all.addAll(head);
        return all;
    }

    /** Every distinct weight the recipe reads, in first-use order. */
    public List<Weight> weights() {
        List<Weight> all = new ArrayList<>();
        for (Stage s : stages()) for (Weight w : s.weights()) if (!all.contains(w)) all.add(w);
        return all;
    }

    private static Weight w(String tensor, int rows, int cols) { return new Weight(tensor, rows, cols); }

    /** Collects stages; {@link #done} hands over the list so far and starts a new one. */
    private static final class Builder {
        private List<Stage> stages = new ArrayList<>();

        void add(Step step, int layer, Op op, List<Act> in, List<Act> out, Weight... weights) {
            stage(new Stage(step, layer, op, in, out, out, List.of(weights), false));
        }

        /** out += W · in onto the residual stream x. */
        void residual(Step step, int layer, Act in, Weight weight) {
            stage(new Stage(step, layer, Op.MAT_VEC, List.of(in), List.of(X), List.of(X), List.of(weight), true));
        }

        void stage(Stage s) { stages.add(s); }

        List<Stage> done() {
            List<Stage> s = stages;
            stages = new ArrayList<>();
            return s;
        }
    }
}
