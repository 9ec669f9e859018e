package dev.kiln.model;

/**
 * The hyper-parameters of a decoder-only transformer, as the manifest records them. Every size the engine and the
 * CPU reference use is derived from here: nothing is authored elsewhere.
 *
 * @param architecture  "llama" (the family the engine runs; variants are flags below)
 * @param dim           width of the residual stream
 * @param layers        number of transformer blocks
 * @param heads         query heads
 * @param kvHeads       key/value heads (grouped-query attention when fewer than heads)
 * @param headSize      width of one head (may differ from dim/heads)
 * @param ffn           hidden width of the SwiGLU feed-forward
 * @param vocab         vocabulary size (rows of the embedding and of the LM head)
 * @param normEps       RMSNorm epsilon
 * @param ropeBase      RoPE theta
 * @param ropeStyle     which pairs RoPE rotates
 * @param context       maximum context length (positions) the engine allocates for
 * @param bos           beginning-of-sequence token id (-1 when none)
 * @param eos           end-of-sequence token id (-1 when none)
 * @param tiedEmbeddings the LM head reuses the token embedding ("token_embd") instead of "output"
 * @param qkvBias       q, k and v projections add a bias ("blk.L.attn_{q,k,v}_bias"; Qwen2/2.5)
 * @param qkNorm        q and k get a per-head RMSNorm of width headSize before RoPE, one weight vector shared by
 *                      all heads ("blk.L.attn_{q,k}_norm"; Qwen3)
 * @param ropeScaling   how RoPE's frequencies are scaled ({@link RopeScaling#NONE} for none; Llama 3.x: llama3, or
 *                      factors with headSize/2 values from a GGUF file's rope_freqs; Phi-3.5: longrope)
 */
public record ModelConfig(String architecture, int dim, int layers, int heads, int kvHeads, int headSize, int ffn,
                          int vocab, float normEps, float ropeBase, RopeStyle ropeStyle, int context, int bos, int eos,
                          boolean tiedEmbeddings, boolean qkvBias, boolean qkNorm, RopeScaling ropeScaling) {

    /** A plain llama: no biases, no q/k norm, no RoPE scaling. */
    public ModelConfig(String architecture, int dim, int layers, int heads, int kvHeads, int headSize, int ffn,
                       int vocab, float normEps, float ropeBase, RopeStyle ropeStyle, int context, int bos, int eos,
                       boolean tiedEmbeddings) {
        this(architecture, dim, layers, heads, kvHeads, headSize, ffn, vocab, normEps, ropeBase, ropeStyle, context, bos,
                eos, tiedEmbeddings, false, false, RopeScaling.NONE);
    }

    public ModelConfig {
        if (ropeScaling == null) throw new IllegalArgumentException("rope scaling is required (RopeScaling.NONE for none)");
        positive("dim", dim); positive("layers", layers); positive("heads", heads); positive("kv_heads", kvHeads);
        positive("head_size", headSize); positive("ffn", ffn); positive("vocab", vocab); positive("context", context);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kv_heads (" + kvHeads + ")");
        }
        if (headSize % 2 != 0) throw new IllegalArgumentException("head_size must be even for RoPE, got " + headSize);
        if (!ropeScaling.factors().isEmpty() && ropeScaling.factors().size() != headSize / 2) {
            throw new IllegalArgumentException("rope_scaling factors has " + ropeScaling.factors().size()
                    + " values, expected head_size/2 = " + headSize / 2);
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive, got " + v);
    }

    /** This config with the architecture flags set (the other fields unchanged). */
    public ModelConfig withFlags(boolean qkvBias, boolean qkNorm, RopeScaling ropeScaling) {
        return new ModelConfig(architecture, dim, layers, heads, kvHeads, headSize, ffn, vocab, normEps, ropeBase,
                ropeStyle, context, bos, eos, tiedEmbeddings, qkvBias, qkNorm, ropeScaling);
    }

    /** Width of all query heads together: rows of wq. */
    public int qDim() { return heads * headSize; }

    /** Width of all key (or value) heads together: rows of wk and wv, one KV-cache row. */
    public int kvDim() { return kvHeads * headSize; }

    /** Query heads that share one KV head. */
    public int groupSize() { return heads / kvHeads; }
}
