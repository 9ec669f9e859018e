package dev.kiln.model;

/**
 * The canonical tensor names of a packaged model (they follow GGUF's llama names). The one place names are built:
 * readers map their file's names onto these, the engine and the CPU reference look tensors up through these.
 */
public final class TensorNames {
    private TensorNames() {}

    public static final String TOKEN_EMBD = "token_embd";   // (vocab, dim)
    public static final String OUTPUT_NORM = "output_norm"; // (dim)
    public static final String OUTPUT = "output";           // (vocab, dim); absent when embeddings are tied

    public static String attnNorm(int l) { return blk(l, "attn_norm"); }   // (dim)
    public static String attnQ(int l) { return blk(l, "attn_q"); }         // (heads*headSize, dim)
    public static String attnK(int l) { return blk(l, "attn_k"); }         // (kvHeads*headSize, dim)
    public static String attnV(int l) { return blk(l, "attn_v"); }         // (kvHeads*headSize, dim)
    public static String attnQBias(int l) { return blk(l, "attn_q_bias"); } // (heads*headSize) when qkv_bias
    public static String attnKBias(int l) { return blk(l, "attn_k_bias"); } // (kvHeads*headSize) when qkv_bias
    public static String attnVBias(int l) { return blk(l, "attn_v_bias"); } // (kvHeads*headSize) when qkv_bias
    public static String attnQNorm(int l) { return blk(l, "attn_q_norm"); } // (headSize) when qk_norm
    public static String attnKNorm(int l) { return blk(l, "attn_k_norm"); } // (headSize) when qk_norm
    public static String attnOutput(int l) { return blk(l, "attn_output"); } // (dim, heads*headSize)
    public static String ffnNorm(int l) { return blk(l, "ffn_norm"); }     // (dim)
    public static String ffnGate(int l) { return blk(l, "ffn_gate"); }     // w1 (ffn, dim)
    public static String ffnUp(int l) { return blk(l, "ffn_up"); }         // w3 (ffn, dim)
    public static String ffnDown(int l) { return blk(l, "ffn_down"); }     // w2 (dim, ffn)

    private static String blk(int l, String role) { return "blk." + l + "." + role; }
}
