package dev.kiln.recipe;

import dev.kiln.model.ModelConfig;

/**
 * The activation buffers of one position, named as in llama2.c. The CPU reference holds one float array per value,
 * the GPU plan one storage buffer; a {@link Stage} reads and writes them by these names. Widths come from the config.
 */
public enum Act {
    TOKENS,  // (context) token ids: the GPU's prompt and sampled ids; the CPU passes the token directly
    X,       // (dim) residual stream
    XB,      // (dim) normed input of a block
    XB2,     // (qDim) attention output
    Q,       // (qDim) queries of this position
    K,       // (kvDim) key of this position
    V,       // (kvDim) value of this position
    ATT,     // (heads, context) attention scores
    HB,      // (ffn) gate, then silu(gate) * up
    HB2,     // (ffn) up
    LOGITS,  // (vocab)
    K_CACHE, // (layers, context, kvDim) rotated keys
    V_CACHE; // (layers, context, kvDim) values

    /** Elements of this buffer for one position ({@link #K_CACHE}, {@link #V_CACHE}: of one layer). */
    public int width(ModelConfig c) {
        return switch (this) {
            case TOKENS -> c.context();
            case X -> c.dim();
            case XB -> c.dim();
            case XB2, Q -> c.qDim();
            case K, V -> c.kvDim();
            case ATT -> c.heads() * c.context();
            case HB, HB2 -> c.ffn();
            case LOGITS -> c.vocab();
            case K_CACHE, V_CACHE -> c.context() * c.kvDim();
        };
    }

    /** Whether the value is per model (the caches), not per position. */
    public boolean isCache() { return this == K_CACHE || this == V_CACHE; }
}
