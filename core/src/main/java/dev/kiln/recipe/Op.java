package dev.kiln.recipe;

/**
 * The operations a {@link Stage} performs. Each has one CPU twin in {@code dev.kiln.reference.Ops} and one GPU kernel
 * role (shaders' {@code Kernel}); a new family adds an op here only when it needs math no op has.
 */
public enum Op {
    EMBED,     // out = weight row of the token                                   (token_embd)
    RMS_NORM,  // out = in / sqrt(mean(in²) + eps) · w
    MAT_VEC,   // out (+)= W · in                                                 (accumulate: residual add)
    QKV_BIAS,  // q += bq, k += bk, v += bv
    QK_NORM,   // each head of q and k: rmsNorm(head, w)
    ROPE,      // rotate q and k by pos; store k and v in this layer's cache row pos
    ATTENTION, // out = softmax(q·kᵀ/√headSize) · v per head, grouped-query, over the cache rows 0..pos
    SILU_MUL   // hb = silu(hb) · hb2
}
