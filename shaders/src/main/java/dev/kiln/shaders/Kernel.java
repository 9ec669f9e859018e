package dev.kiln.shaders;

import static dev.kiln.shaders.Binding.read;
import static dev.kiln.shaders.Binding.readWrite;
import static dev.kiln.shaders.Binding.uniform;

import java.util.List;

/**
 * The kernel roles, one per {@code src/main/wgsl/<lower-case name>.wgsl}. Each constant carries what an engine
 * needs to build a pipeline without reading WGSL: the bindings in slot order (group 0; the {@code Step} uniform,
 * where present, just before {@code Params}, which is always last), the workgroup size and whether the kernel
 * reads a weight tensor (then {@link Wgsl#source} adds the weight-format prelude). The {@code Params} of each role
 * has one Java mirror in {@link Params}. {@code KernelContractTest} checks all of this against the WGSL files.
 */
public enum Kernel {
    /** x[r] = dequantize(token_embd[tokens[pos + r]]) for each row of the step. */
    EMBED(64, true,
            read(0, "tokens", "array<u32>", "(context) token ids"),
            read(1, "w", "array<u32>", "(vocab, dim) token_embd in the weight dtype"),
            readWrite(2, "x", "array<f32>", "(rows, dim) residual stream"),
            uniform(3, "step", "Step", "the position"),
            uniform(4, "p", "Params", "EmbedParams")),
    /** out = x · rsqrt(mean(x²) + eps) · w, one workgroup per row. */
    RMS_NORM(256, false,
            read(0, "x", "array<f32>", "(rows, n) input"),
            read(1, "w", "array<f32>", "(n) norm weight"),
            readWrite(2, "out", "array<f32>", "(rows, n) output, a different buffer than x"),
            uniform(3, "p", "Params", "RmsNormParams")),
    /**
     * Decode projections, four weight rows per team (the workgroup, or each subgroup): y = A·x̂, y += A·x̂ (the
     * residual), y = silu(A·x̂)·(B·x̂) (w1 and w3 of the SwiGLU FFN in one range) or y = silu(y)·(A·x̂); x̂ = rmsNorm(x)·g
     * when the norm is folded in.
     */
    MAT_VEC(64, true,
            read(0, "w", "array<u32>", "A (rows, cols), and B in the SwiGLU mode, in the weight dtype"),
            read(1, "x", "array<vec4<f32>>", "(cols) input, bound in whole vec4s"),
            read(2, "g", "array<vec4<f32>>", "(cols) norm weight; any buffer when the norm is not folded in"),
            readWrite(3, "y", "array<f32>", "(rows) output"),
            uniform(4, "p", "Params", "MatVecParams")),
    /** q, k, v = wq·x̂ + bq, wk·x̂ + bk, wv·x̂ + bv in one launch (decode); x̂ = rmsNorm(x)·g when the norm is folded in. */
    MAT_VEC_QKV(64, true,
            read(0, "w", "array<u32>", "wq, wk, wv in the weight dtype, one range"),
            read(1, "x", "array<vec4<f32>>", "(cols) input, bound in whole vec4s"),
            read(2, "g", "array<vec4<f32>>", "(cols) attention norm weight; any buffer when not folded in"),
            read(3, "b", "array<f32>", "bq, bk, bv as one range; any buffer without biases"),
            readWrite(4, "q", "array<f32>", "(qRows) queries"),
            readWrite(5, "k", "array<f32>", "(kvRows) keys"),
            readWrite(6, "v", "array<f32>", "(kvRows) values"),
            uniform(7, "p", "Params", "MatVecQkvParams")),
    /** q += bq, k += bk, v += bv (Qwen2's projection biases), one dispatch for the three, every row. */
    QKV_BIAS(64, false,
            readWrite(0, "q", "array<f32>", "(rows, heads*headSize) queries"),
            readWrite(1, "k", "array<f32>", "(rows, kvHeads*headSize) keys"),
            readWrite(2, "v", "array<f32>", "(rows, kvHeads*headSize) values"),
            read(3, "bq", "array<f32>", "(heads*headSize) attn_q_bias"),
            read(4, "bk", "array<f32>", "(kvHeads*headSize) attn_k_bias"),
            read(5, "bv", "array<f32>", "(kvHeads*headSize) attn_v_bias"),
            uniform(6, "p", "Params", "QkvBiasParams")),
    /** Per-head RMSNorm of q and k in place (Qwen3); one workgroup per head. */
    QK_NORM(64, false,
            readWrite(0, "q", "array<f32>", "(heads, headSize) queries, normed in place"),
            readWrite(1, "k", "array<f32>", "(kvHeads, headSize) keys, normed in place"),
            read(2, "qNorm", "array<f32>", "(headSize) attn_q_norm"),
            read(3, "kNorm", "array<f32>", "(headSize) attn_k_norm"),
            uniform(4, "p", "Params", "QkNormParams")),
    /** Rotates q in place and k by the frequency table, stores rotated k and v in the KV cache at pos + row. */
    ROPE(64, false,
            readWrite(0, "q", "array<f32>", "(rows, heads, headSize) queries, rotated in place"),
            readWrite(1, "k", "array<f32>", "(rows, kvHeads, headSize) keys, rotated in place"),
            read(2, "v", "array<f32>", "(rows, kvHeads, headSize) values"),
            read(3, "freqs", "array<f32>", "(headSize/2) inverse frequencies, scaling applied (RopeFrequencies)"),
            readWrite(4, "kCache", "array<kv>", "(layers, context, kvHeads*headSize) keys"),
            readWrite(5, "vCache", "array<kv>", "(layers, context, kvHeads*headSize) values"),
            uniform(6, "step", "Step", "the position"),
            uniform(7, "p", "Params", "RopeParams")),
    /**
     * Decode attention split over the cache in chunks (flash-decoding), RoPE and the KV-cache append folded in; one
     * workgroup per (query head, chunk); the partial results go to ATTENTION_COMBINE.
     */
    ATTENTION(64, false,
            read(0, "q", "array<f32>", "(heads, headSize) queries, not yet rotated"),
            read(1, "k", "array<f32>", "(kvHeads, headSize) keys of pos, not yet rotated"),
            read(2, "v", "array<f32>", "(kvHeads, headSize) values of pos"),
            read(3, "freqs", "array<f32>", "(headSize/2) inverse frequencies, scaling applied (RopeFrequencies)"),
            readWrite(4, "kCache", "array<kv>", "(layers, context, kvHeads*headSize) keys"),
            readWrite(5, "vCache", "array<kv>", "(layers, context, kvHeads*headSize) values"),
            readWrite(6, "part", "array<f32>", "(heads, splits, headSize + 2) per chunk: max, sum, unnormalized output"),
            uniform(7, "step", "Step", "the position"),
            uniform(8, "p", "Params", "AttentionParams")),
    /** Merges ATTENTION's chunks into each head's output; one workgroup per query head. */
    ATTENTION_COMBINE(64, false,
            read(0, "part", "array<f32>", "(heads, splits, headSize + 2) from ATTENTION"),
            readWrite(1, "out", "array<f32>", "(heads, headSize) attention output"),
            uniform(2, "step", "Step", "the position"),
            uniform(3, "p", "Params", "AttentionCombineParams")),
    /**
     * Y[r] = W·X[r] (or +=) for the rows of a prefill block: the tiled matrix–matrix product, weights dequantized in
     * the kernel a quant group's word at a time, workgroup tiles of 64 outputs × 64 rows (a whole prefill block), a
     * 4 × 4 register tile per invocation.
     */
    MAT_MUL(256, true,
            read(0, "w", "array<u32>", "(n, cols) weights in the weight dtype"),
            read(1, "x", "array<f32>", "(rows, cols) inputs, one row per position"),
            readWrite(2, "y", "array<f32>", "(rows, n) outputs, one row per position"),
            uniform(3, "step", "Step", "the block: first position and rows"),
            uniform(4, "p", "Params", "MatMulParams")),
    /** Causal attention of every row of a prefill block over the cache up to its own position; (row, head) workgroups. */
    CAUSAL_ATTENTION(64, false,
            read(0, "q", "array<f32>", "(rows, heads, headSize) rotated queries"),
            read(1, "kCache", "array<kv>", "(layers, context, kvHeads*headSize) keys"),
            read(2, "vCache", "array<kv>", "(layers, context, kvHeads*headSize) values"),
            readWrite(3, "out", "array<f32>", "(rows, heads, headSize) attention output"),
            uniform(4, "step", "Step", "the block: first position and rows"),
            uniform(5, "p", "Params", "CausalAttentionParams")),
    /** hb = silu(hb) · hb2, the SwiGLU gate. */
    SILU_MUL(64, false,
            readWrite(0, "hb", "array<f32>", "(n) gate in, result out"),
            read(1, "hb2", "array<f32>", "(n) up"),
            uniform(2, "p", "Params", "SiluMulParams")),
    /** Softmax of each row in place; one workgroup per row. */
    SOFTMAX(256, false,
            readWrite(0, "x", "array<f32>", "(rows, cols) values in, probabilities out"),
            uniform(1, "p", "Params", "SoftmaxParams")),
    /** tokens[pos + 1] = argmax(logits), lowest index among equal maxima; one workgroup. */
    ARGMAX(256, false,
            read(0, "logits", "array<f32>", "(n) logits"),
            readWrite(1, "tokens", "array<u32>", "(context) token ids"),
            uniform(2, "step", "Step", "the position"),
            uniform(3, "p", "Params", "ArgmaxParams")),
    /** The k largest logits, in order, with their ids, for CPU-side sampling; one workgroup. */
    TOP_K(256, false,
            read(0, "logits", "array<f32>", "(n) logits"),
            readWrite(1, "out", "array<u32>", "(2 + 2k) pos, k, then k pairs (id, bitcast logit)"),
            uniform(2, "step", "Step", "the position"),
            uniform(3, "p", "Params", "TopKParams"));

    private final int workgroupSize;
    private final boolean weights;
    private final List<Binding> bindings;

    Kernel(int workgroupSize, boolean weights, Binding... bindings) {
        this.workgroupSize = workgroupSize;
        this.weights = weights;
        this.bindings = List.of(bindings);
    }

    /** Invocations per workgroup (the {@code @workgroup_size} x; y and z are 1). */
    public int workgroupSize() { return workgroupSize; }

    /** Whether the kernel reads a weight tensor (binding {@code w}, {@code array<u32>} in any {@code DType}). */
    public boolean hasWeights() { return weights; }

    /**
     * Whether the kernel combines one value per invocation across its workgroup through the reduction prelude
     * ({@code reduce.wgsl}, which {@link Wgsl#source} then adds): the norms, the mat-vec, softmax, attention and the
     * two samplers.
     */
    public boolean reduces() {
        return switch (this) {
            case RMS_NORM, MAT_VEC, MAT_VEC_QKV, QK_NORM, ATTENTION, CAUSAL_ATTENTION, SOFTMAX, ARGMAX, TOP_K -> true;
            case EMBED, QKV_BIAS, ROPE, MAT_MUL, SILU_MUL, ATTENTION_COMBINE -> false;
        };
    }

    /**
     * Whether the kernel stages operands in workgroup memory of its own (the matrix–matrix product's tiles; the decode
     * attention's rotated query head and chunk scores): the exception to "the reduction prelude owns workgroup memory".
     */
    public boolean tiles() { return this == MAT_MUL || this == ATTENTION; }

    /**
     * Whether the kernel applies RoPE through the rotary prelude ({@code rotary.wgsl}, which {@link Wgsl#source} then
     * adds before the kernel file): ROPE and the decode ATTENTION, which rotates as it reads.
     */
    public boolean rotates() { return this == ROPE || this == ATTENTION; }

    /**
     * Whether the kernel computes four weight rows against one vector through the row-dot prelude
     * ({@code mat_vec_rows.wgsl}, which {@link Wgsl#source} then adds after the reduction prelude): the mat-vecs.
     */
    public boolean dotsRows() { return this == MAT_VEC || this == MAT_VEC_QKV; }

    /** The bindings of group 0 in slot order; the last is the {@code Params} uniform. */
    public List<Binding> bindings() { return bindings; }

    /** Whether the kernel reads the per-token {@code Step} uniform (bound just before {@code Params}). */
    public boolean usesStep() {
        for (Binding b : bindings) if (b.type().equals("Step")) return true;
        return false;
    }

    /** The source file name: the lower-case constant name, e.g. {@code mat_vec.wgsl}. */
    public String fileName() { return name().toLowerCase() + ".wgsl"; }

    /** The compute entry point of every kernel. */
    public static final String ENTRY_POINT = "main";
}
