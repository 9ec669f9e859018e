package dev.kiln.recipe;

/**
 * The steps of one token through the model, in order. The CPU reference and the GPU plan both name their work
 * with these, so a test can compare the two step by step (per layer for the block steps).
 */
public enum Step {
    EMBED,      // x = token_embd[token]
    ATT_NORM,   // xb = rmsNorm(x, attn_norm)
    Q,          // q = wq · xb
    K,          // k = wk · xb
    V,          // v = wv · xb
    QKV_BIAS,   // q += bq, k += bk, v += bv           (only with qkv_bias)
    QK_NORM,    // each head of q and k: rmsNorm(head, attn_{q,k}_norm)   (only with qk_norm)
    ROPE,       // rotate q and k; store k, v in the cache at pos
    ATT,        // xb = attention(q, kCache, vCache)
    WO,         // x += wo · xb
    FFN_NORM,   // xb = rmsNorm(x, ffn_norm)
    W1,         // hb = w1 · xb       (gate)
    W3,         // hb2 = w3 · xb      (up)
    SILU_MUL,   // hb = silu(hb) * hb2
    W2,         // x += w2 · hb       (down)
    FINAL_NORM, // x = rmsNorm(x, output_norm)
    LOGITS      // logits = output · x
}
