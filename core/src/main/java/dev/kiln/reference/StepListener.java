package dev.kiln.reference;

import dev.kiln.recipe.Step;

/**
 * Called by {@link CpuModel#forward} after each {@link Step}, with that step's result, so a test can compare the
 * GPU and the CPU step by step. {@code layer} is -1 for the steps outside the blocks (EMBED, FINAL_NORM, LOGITS).
 * The values are the model's live buffers: read (or copy) them during the call, never keep or change them.
 *
 * <p>What {@code values[0..n)} holds per step: EMBED x; ATT_NORM xb; Q q; K k; V v; QKV_BIAS q, k, v after the biases
 * (qDim + 2·kvDim); QK_NORM the normed q followed by the normed k (qDim + kvDim); ROPE the rotated q followed by
 * the rotated k (qDim + kvDim); ATT the attention output (qDim); WO x after the residual add; FFN_NORM xb; W1 hb;
 * W3 hb2; SILU_MUL hb; W2 x after the residual add; FINAL_NORM x; LOGITS the logits (vocab).
 */
@FunctionalInterface
public interface StepListener {
    void onStep(Step step, int layer, float[] values, int n);
}
