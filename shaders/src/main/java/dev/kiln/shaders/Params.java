package dev.kiln.shaders;

import dev.kiln.model.DType;
import dev.kiln.model.RopeStyle;

/**
 * The Java mirror of each kernel's {@code struct Params} (the last binding, a uniform). Components are in WGSL field
 * order with the same names; int → u32, float → f32, boolean → u32 (0/1), enum → u32 (ordinal). Every field is a
 * 4-byte scalar, so field i sits at byte 4i and {@link #bytes()} is padded to 16 bytes. {@link #workgroups()} is the
 * dispatch for these parameters. {@code KernelContractTest} checks names, order and types against the WGSL.
 */
public sealed interface Params {

    /** The kernel these parameters belong to. */
    Kernel kernel();

    /** The uniform buffer contents, little-endian, a multiple of 16 bytes. */
    byte[] bytes();

    /** Workgroups to dispatch: {x, y, z}. */
    int[] workgroups();

    /** Word offset of a quantized tensor's scale section (0 for f32 and f16, which have none). */
    static int scaleWordOf(DType t, int rows, int cols) {
        if (!t.quantized()) return 0;
        if (cols % DType.GROUP != 0) {
            throw new IllegalArgumentException(t.id() + " weights need rows that are a multiple of " + DType.GROUP
                    + " long, got " + cols + ": store this tensor as f16");
        }
        return (int) (t.scaleOffset(rows, cols) / 4);
    }

    private static int positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive, got " + v);
        return v;
    }

    /** EMBED: x[r, i] = W[tokens[pos + r], i] for i &lt; dim and r &lt; min(rows, Step.rows). */
    record Embed(int dim, int scaleWord, int rows) implements Params {
        public Embed { positive("dim", dim); positive("rows", rows); }

        /** For a (vocab, dim) embedding table of type {@code t}, one row. */
        public static Embed of(DType t, int vocab, int dim) { return of(t, vocab, dim, 1); }

        /** For a (vocab, dim) embedding table of type {@code t}, a grid of {@code rows} rows. */
        public static Embed of(DType t, int vocab, int dim, int rows) { return new Embed(dim, scaleWordOf(t, vocab, dim), rows); }

        public Kernel kernel() { return Kernel.EMBED; }
        public byte[] bytes() { return new UniformWriter(3).u32(dim).u32(scaleWord).u32(rows).bytes(); }
        public int[] workgroups() { return Workgroups.cover((long) dim * rows, Kernel.EMBED.workgroupSize()); }
    }

    /** RMS_NORM over n elements with epsilon eps, for each of rows rows. */
    record RmsNorm(int n, float eps, int rows) implements Params {
        public RmsNorm { positive("n", n); positive("rows", rows); }

        /** One row. */
        public RmsNorm(int n, float eps) { this(n, eps, 1); }

        public Kernel kernel() { return Kernel.RMS_NORM; }
        public byte[] bytes() { return new UniformWriter(3).u32(n).f32(eps).u32(rows).bytes(); }
        /** One workgroup per row. */
        public int[] workgroups() { return Workgroups.spread(rows); }
    }

    /**
     * Teams of rows per mat-vec workgroup (MAT_VEC, MAT_VEC_QKV; mat_vec_team.wgsl): 1 with the workgroup variant of
     * the team prelude (the whole workgroup is one team); with the subgroup variant one per subgroup of
     * {@code subgroupSize} invocations, the adapter's largest (0 when it does not say: taken as 32, the usual GPU
     * subgroup). A device whose subgroups come out smaller or larger still computes every row (the kernels loop over
     * their teams), only with idle or busier subgroups.
     */
    static int rowTeams(boolean subgroups, int subgroupSize) {
        if (!subgroups) return 1;
        int wg = Kernel.MAT_VEC.workgroupSize();
        int sg = subgroupSize > 0 ? Math.min(subgroupSize, wg) : 32;
        return Math.max(1, wg / sg);
    }

    /** {@code p} with {@code teams} row teams per workgroup when it is a mat-vec's ({@link #rowTeams}); else p. */
    static Params withRowTeams(Params p, int teams) {
        if (p instanceof MatVec m) return m.withTeams(teams);
        if (p instanceof MatVecQkv q) return q.withTeams(teams);
        return p;
    }

    /**
     * MAT_VEC: the decode projection of a rows×cols A (see mat_vec.wgsl's modes), four outputs per team of rows (two
     * in the SwiGLU pair mode), {@code teams} teams per workgroup ({@link #rowTeams}; the factories make 1).
     * {@code aStart}/{@code bStart} are element indices in the bound range, {@code aScales}/{@code bScales} the weight
     * prelude's scales argument for each; norm folds RMSNorm(x)·g (epsilon eps) in.
     */
    record MatVec(int rows, int cols, int mode, boolean norm, float eps, int aStart, int aScales, int bStart,
                  int bScales, int teams) implements Params {
        /** y = A·x̂. */
        public static final int SET = 0;
        /** y += A·x̂: the residual add. */
        public static final int ACCUMULATE = 1;
        /** y = silu(A·x̂)·(B·x̂): w1 and w3 of the SwiGLU FFN. */
        public static final int PAIR = 2;
        /** y = silu(y)·(A·x̂): w3 with the gate w1·x already in y. */
        public static final int GATE = 3;

        public MatVec {
            positive("rows", rows); positive("cols", cols);
            if (mode < SET || mode > GATE) throw new IllegalArgumentException("mat-vec mode must be 0..3, got " + mode);
            positive("teams", teams);
        }

        /** One tensor bound alone: y = W·x, or y += W·x when accumulate. */
        public static MatVec of(DType t, int rows, int cols, boolean accumulate) {
            return new MatVec(rows, cols, accumulate ? ACCUMULATE : SET, false, 0f, 0, scaleWordOf(t, rows, cols), 0, 0, 1);
        }

        /** y = silu(y)·(W·x): the up projection with the gate (y = w1·x) already in y. */
        public static MatVec gated(DType t, int rows, int cols) {
            return new MatVec(rows, cols, GATE, false, 0f, 0, scaleWordOf(t, rows, cols), 0, 0, 1);
        }

        /** y = W·(rmsNorm(x)·g): one tensor bound alone, the norm before it folded in (the LM head). */
        public static MatVec normed(DType t, int rows, int cols, float eps) {
            return new MatVec(rows, cols, SET, true, eps, 0, scaleWordOf(t, rows, cols), 0, 0, 1);
        }

        /**
         * y = silu(A·x̂)·(B·x̂) for A and B of type t at word offsets {@code aWord}, {@code bWord} of one bound range
         * (multiples of 64 words: 256-byte aligned, as a shard places tensors); norm as {@link #normed}.
         */
        public static MatVec pair(DType t, int rows, int cols, int aWord, int bWord, boolean norm, float eps) {
            return new MatVec(rows, cols, PAIR, norm, eps, start(t, aWord), rangeScales(t, aWord, rows, cols),
                    start(t, bWord), rangeScales(t, bWord, rows, cols), 1);
        }

        /** The same launch with {@code n} teams of rows per workgroup. */
        public MatVec withTeams(int n) { return new MatVec(rows, cols, mode, norm, eps, aStart, aScales, bStart, bScales, n); }

        /** Outputs one workgroup computes. */
        public int outputsPerWorkgroup() { return (mode == PAIR ? 2 : 4) * teams; }

        public Kernel kernel() { return Kernel.MAT_VEC; }
        public byte[] bytes() {
            return new UniformWriter(10).u32(rows).u32(cols).u32(mode).u32(norm).f32(eps).u32(aStart).u32(aScales)
                    .u32(bStart).u32(bScales).u32(teams).bytes();
        }
        public int[] workgroups() {
            return Workgroups.spread(((long) rows + outputsPerWorkgroup() - 1) / outputsPerWorkgroup());
        }
    }

    /**
     * MAT_VEC_QKV: q, k, v = wq·x̂ + bq, wk·x̂ + bk, wv·x̂ + bv with the three tensors bound as one range of words;
     * {@code *Start} is a tensor's first element in that range, {@code *Scales} the weight prelude's scales argument
     * for it, {@code *Bias} a bias's first float in the bias range; norm folds RMSNorm(x)·g (epsilon eps) in.
     */
    record MatVecQkv(int qRows, int kvRows, int cols, boolean norm, float eps, boolean bias, int qStart, int kStart,
                     int vStart, int qScales, int kScales, int vScales, int qBias, int kBias, int vBias, int teams)
            implements Params {
        public MatVecQkv {
            positive("qRows", qRows); positive("kvRows", kvRows); positive("cols", cols); positive("teams", teams);
        }

        /**
         * For tensors of type {@code t} at word offsets {@code qWord, kWord, vWord} from the start of the bound range
         * (multiples of 64 words: 256-byte aligned, as a shard places tensors), no norm, no biases.
         */
        public static MatVecQkv of(DType t, int qRows, int kvRows, int cols, int qWord, int kWord, int vWord) {
            return new MatVecQkv(qRows, kvRows, cols, false, 0f, false, start(t, qWord), start(t, kWord), start(t, vWord),
                    rangeScales(t, qWord, qRows, cols), rangeScales(t, kWord, kvRows, cols),
                    rangeScales(t, vWord, kvRows, cols), 0, 0, 0, 1);
        }

        /** With the norm before the projections folded in (epsilon eps). */
        public MatVecQkv normed(float epsilon) {
            return new MatVecQkv(qRows, kvRows, cols, true, epsilon, bias, qStart, kStart, vStart, qScales, kScales, vScales,
                    qBias, kBias, vBias, teams);
        }

        /** With the biases added, bq, bk, bv at float offsets {@code q}, {@code k}, {@code v} of the bias range. */
        public MatVecQkv biased(int q, int k, int v) {
            return new MatVecQkv(qRows, kvRows, cols, norm, eps, true, qStart, kStart, vStart, qScales, kScales, vScales,
                    q, k, v, teams);
        }

        /** The same launch with {@code n} teams of rows per workgroup. */
        public MatVecQkv withTeams(int n) {
            return new MatVecQkv(qRows, kvRows, cols, norm, eps, bias, qStart, kStart, vStart, qScales, kScales, vScales,
                    qBias, kBias, vBias, n);
        }

        public Kernel kernel() { return Kernel.MAT_VEC_QKV; }
        public byte[] bytes() {
            return new UniformWriter(16).u32(qRows).u32(kvRows).u32(cols).u32(norm).f32(eps).u32(bias).u32(qStart)
                    .u32(kStart).u32(vStart).u32(qScales).u32(kScales).u32(vScales).u32(qBias).u32(kBias).u32(vBias)
                    .u32(teams).bytes();
        }
        /** Four rows of the three per team, {@code teams} teams per workgroup. */
        public int[] workgroups() {
            long perWorkgroup = 4L * teams;
            return Workgroups.spread(((long) qRows + 2L * kvRows + perWorkgroup - 1) / perWorkgroup);
        }
    }

    /** The element index of the first weight of a tensor at word {@code word} of a bound range (a multiple of 64). */
    private static int start(DType t, int word) {
        if (word % 64 != 0) throw new IllegalArgumentException("tensor at word " + word + " is not 256-byte aligned");
        return word * elementsPerWord(t);
    }

    /**
     * The prelude reads the scale of element e (of the range) at word scales + e/64 (two f16 scales of 32 elements
     * per word): for a tensor whose element 0 is element word·per of the range, that is its own scale section
     * (word + scaleWord) less word·per/64 (whole words, as word is a multiple of 64).
     */
    private static int rangeScales(DType t, int word, int rows, int cols) {
        if (!t.quantized()) return 0;
        return word + scaleWordOf(t, rows, cols) - word * elementsPerWord(t) / 64;
    }

    /** Elements of type t in one 32-bit word of its quant section. */
    private static int elementsPerWord(DType t) {
        return switch (t) {
            case F32 -> 1;
            case F16 -> 2;
            case Q8 -> 4;
            case Q4 -> 8;
        };
    }

    /** QKV_BIAS: each of rows rows of q (qDim) += bq, of k and v (kvDim) += bk, bv. */
    record QkvBias(int qDim, int kvDim, int rows) implements Params {
        public QkvBias { positive("qDim", qDim); positive("kvDim", kvDim); positive("rows", rows); }

        /** One row. */
        public QkvBias(int qDim, int kvDim) { this(qDim, kvDim, 1); }

        public Kernel kernel() { return Kernel.QKV_BIAS; }
        public byte[] bytes() { return new UniformWriter(3).u32(qDim).u32(kvDim).u32(rows).bytes(); }
        /** One invocation per element of q, k and v. */
        public int[] workgroups() {
            return Workgroups.cover(((long) qDim + 2L * kvDim) * rows, Kernel.QKV_BIAS.workgroupSize());
        }
    }

    /** QK_NORM: RMSNorm of each of the heads q heads and kvHeads k heads (headSize each) with epsilon eps. */
    record QkNorm(int heads, int kvHeads, int headSize, float eps) implements Params {
        public QkNorm { positive("heads", heads); positive("kvHeads", kvHeads); positive("headSize", headSize); }

        public Kernel kernel() { return Kernel.QK_NORM; }
        public byte[] bytes() { return new UniformWriter(4).u32(heads).u32(kvHeads).u32(headSize).f32(eps).bytes(); }
        /** One workgroup per head. */
        public int[] workgroups() { return Workgroups.spread(heads + kvHeads); }
    }

    /**
     * ROPE: rotate q (heads) and k (kvHeads) at pos by the bound frequency table (headSize/2 f32,
     * {@link dev.kiln.model.RopeFrequencies}); store k and v at cache element layerOffset + pos·kvHeads·headSize.
     * style is the pairing; scale multiplies rotated q and k (LongRoPE's attention factor,
     * {@link dev.kiln.model.RopeScaling#attentionFactor()}; 1 otherwise).
     */
    record Rope(int heads, int kvHeads, int headSize, RopeStyle style, int layerOffset, float scale, int rows)
            implements Params {
        public Rope {
            positive("rows", rows);
            positive("heads", heads); positive("kvHeads", kvHeads); positive("headSize", headSize);
            if (headSize % 2 != 0) throw new IllegalArgumentException("headSize must be even for RoPE, got " + headSize);
            if (style == null) throw new IllegalArgumentException("rope style is required");
            if (layerOffset < 0) throw new IllegalArgumentException("layerOffset must be >= 0, got " + layerOffset);
            if (!(scale > 0) || Float.isInfinite(scale)) throw new IllegalArgumentException("scale must be positive and finite, got " + scale);
        }

        /** No output scaling: every scaling type but LongRoPE. */
        public Rope(int heads, int kvHeads, int headSize, RopeStyle style, int layerOffset) {
            this(heads, kvHeads, headSize, style, layerOffset, 1f, 1);
        }

        /** One row. */
        public Rope(int heads, int kvHeads, int headSize, RopeStyle style, int layerOffset, float scale) {
            this(heads, kvHeads, headSize, style, layerOffset, scale, 1);
        }

        public Kernel kernel() { return Kernel.ROPE; }
        public byte[] bytes() {
            return new UniformWriter(7).u32(heads).u32(kvHeads).u32(headSize).u32(style.ordinal()).u32(layerOffset)
                    .f32(scale).u32(rows).bytes();
        }
        /** One invocation per rotated pair of each row: rows·(heads + kvHeads)·headSize/2. */
        public int[] workgroups() {
            return Workgroups.cover((long) rows * (heads + kvHeads) * headSize / 2, Kernel.ROPE.workgroupSize());
        }
    }

    /**
     * ATTENTION (decode, flash-decoding): query head h over chunk c of {@link #CHUNK} cache positions, RoPE (style,
     * scale) and the append of pos's k and v at cache element layerOffset + pos·kvHeads·headSize folded in; splits =
     * ⌈context / CHUNK⌉ chunks per head in the partials buffer ({@link #partFloats}).
     */
    record Attention(int heads, int kvHeads, int headSize, int splits, int layerOffset, RopeStyle style, float scale)
            implements Params {
        /** Cache positions per workgroup: {@code const CHUNK} in attention.wgsl and attention_combine.wgsl. */
        public static final int CHUNK = 256;
        /** The largest head the kernel's workgroup arrays hold: {@code const MAX_HEAD} in attention.wgsl. */
        public static final int MAX_HEAD_SIZE = 256;

        public Attention {
            positive("heads", heads); positive("kvHeads", kvHeads); positive("headSize", headSize);
            positive("splits", splits);
            if (heads % kvHeads != 0) {
                throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
            }
            if (headSize % 2 != 0 || headSize > MAX_HEAD_SIZE) {
                throw new IllegalArgumentException("attention takes even heads of at most " + MAX_HEAD_SIZE + ", got " + headSize);
            }
            if (layerOffset < 0) throw new IllegalArgumentException("layerOffset must be >= 0, got " + layerOffset);
        }

        /** For a cache of {@code context} positions. */
        public static Attention of(int heads, int kvHeads, int headSize, int context, int layerOffset, RopeStyle style,
                                   float scale) {
            return new Attention(heads, kvHeads, headSize, splits(context), layerOffset, style, scale);
        }

        /** Chunks of a cache of {@code context} positions. */
        public static int splits(int context) { return (context + CHUNK - 1) / CHUNK; }

        /** Floats of the partials buffer: (heads, splits, headSize + 2). */
        public long partFloats() { return (long) heads * splits * (headSize + 2); }

        public Kernel kernel() { return Kernel.ATTENTION; }
        public byte[] bytes() {
            return new UniformWriter(7).u32(heads).u32(kvHeads).u32(headSize).u32(splits).u32(layerOffset)
                    .u32(style.ordinal()).f32(scale).bytes();
        }
        /** One workgroup per (query head, chunk): heads along x, chunks along y. */
        public int[] workgroups() { return new int[] {heads, splits, 1}; }
    }

    /** ATTENTION_COMBINE: merges the splits chunks of each of heads query heads (headSize each). */
    record AttentionCombine(int heads, int headSize, int splits) implements Params {
        public AttentionCombine { positive("heads", heads); positive("headSize", headSize); positive("splits", splits); }

        /** The merge of {@code a}'s partials. */
        public static AttentionCombine of(Attention a) { return new AttentionCombine(a.heads(), a.headSize(), a.splits()); }

        public Kernel kernel() { return Kernel.ATTENTION_COMBINE; }
        public byte[] bytes() { return new UniformWriter(3).u32(heads).u32(headSize).u32(splits).bytes(); }
        /** One workgroup per query head. */
        public int[] workgroups() { return Workgroups.spread(heads); }
    }

    /**
     * MAT_MUL: Y[r] = W·X[r] (or += when accumulate) for an n×cols W and the rows r &lt; min(rows, Step.rows) of X
     * (rows, cols) and Y (rows, n). The grid is 64-output × 32-row tiles.
     */
    record MatMul(int rows, int n, int cols, boolean accumulate, int scaleWord, boolean gate) implements Params {
        /** Outputs and rows per workgroup tile (the kernel's TN and TM). */
        public static final int TILE_N = 64, TILE_ROWS = 64;

        public MatMul {
            positive("rows", rows); positive("n", n); positive("cols", cols);
            if (accumulate && gate) throw new IllegalArgumentException("a mat-mul either accumulates or gates, not both");
            if ((n + TILE_N - 1) / TILE_N > Workgroups.MAX_PER_DIMENSION) {
                throw new IllegalArgumentException("MAT_MUL takes at most " + (long) TILE_N * Workgroups.MAX_PER_DIMENSION + " outputs, got " + n);
            }
        }

        public static MatMul of(DType t, int rows, int n, int cols, boolean accumulate) {
            return new MatMul(rows, n, cols, accumulate, scaleWordOf(t, n, cols), false);
        }

        /** Y = silu(Y)·(W·X), as {@link MatVec#gated}. */
        public static MatMul gated(DType t, int rows, int n, int cols) {
            return new MatMul(rows, n, cols, false, scaleWordOf(t, n, cols), true);
        }

        public Kernel kernel() { return Kernel.MAT_MUL; }
        public byte[] bytes() {
            return new UniformWriter(6).u32(rows).u32(n).u32(cols).u32(accumulate).u32(scaleWord).u32(gate).bytes();
        }
        public int[] workgroups() { return new int[] {(n + TILE_N - 1) / TILE_N, (rows + TILE_ROWS - 1) / TILE_ROWS, 1}; }
    }

    /**
     * CAUSAL_ATTENTION: for each row r &lt; min(rows, Step.rows) of a block at positions Step.pos + r, attention of its
     * heads over cache positions 0..Step.pos + r; cache offsets as in {@link Rope}.
     */
    record CausalAttention(int rows, int heads, int kvHeads, int headSize, int layerOffset) implements Params {
        /** The largest head the kernel takes: 4 dimensions per invocation of 64. */
        public static final int MAX_HEAD_SIZE = 256;

        public CausalAttention {
            positive("rows", rows); positive("heads", heads); positive("kvHeads", kvHeads); positive("headSize", headSize);
            if (heads % kvHeads != 0) {
                throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
            }
            if (headSize > MAX_HEAD_SIZE) throw new IllegalArgumentException("CAUSAL_ATTENTION takes heads of at most " + MAX_HEAD_SIZE + ", got " + headSize);
            if (layerOffset < 0) throw new IllegalArgumentException("layerOffset must be >= 0, got " + layerOffset);
        }

        public Kernel kernel() { return Kernel.CAUSAL_ATTENTION; }
        public byte[] bytes() {
            return new UniformWriter(5).u32(rows).u32(heads).u32(kvHeads).u32(headSize).u32(layerOffset).bytes();
        }
        /** One workgroup per (row, head). */
        public int[] workgroups() { return Workgroups.spread((long) rows * heads); }
    }

    /** SILU_MUL over n elements. */
    record SiluMul(int n) implements Params {
        public SiluMul { positive("n", n); }

        public Kernel kernel() { return Kernel.SILU_MUL; }
        public byte[] bytes() { return new UniformWriter(1).u32(n).bytes(); }
        public int[] workgroups() { return Workgroups.cover(n, Kernel.SILU_MUL.workgroupSize()); }
    }

    /** SOFTMAX of each of rows rows of cols values. */
    record Softmax(int rows, int cols) implements Params {
        public Softmax { positive("rows", rows); positive("cols", cols); }

        public Kernel kernel() { return Kernel.SOFTMAX; }
        public byte[] bytes() { return new UniformWriter(2).u32(rows).u32(cols).bytes(); }
        public int[] workgroups() { return Workgroups.spread(rows); }
    }

    /** ARGMAX over n logits. */
    record Argmax(int n) implements Params {
        public Argmax { positive("n", n); }

        public Kernel kernel() { return Kernel.ARGMAX; }
        public byte[] bytes() { return new UniformWriter(1).u32(n).bytes(); }
        public int[] workgroups() { return Workgroups.one(); }
    }

    /** TOP_K: the k (1..64) largest of n logits. */
    record TopK(int n, int k) implements Params {
        /** The largest k the kernel supports. */
        public static final int MAX_K = 64;

        public TopK {
            positive("n", n);
            if (k < 1 || k > MAX_K || k > n) {
                throw new IllegalArgumentException("top-k needs 1 <= k <= min(" + MAX_K + ", n = " + n + "), got " + k);
            }
        }

        /** Bytes of the output buffer: pos, k, then k (id, logit bits) pairs, all u32. */
        public int outBytes() { return 4 * (2 + 2 * k); }

        public Kernel kernel() { return Kernel.TOP_K; }
        public byte[] bytes() { return new UniformWriter(2).u32(n).u32(k).bytes(); }
        public int[] workgroups() { return Workgroups.one(); }
    }
}
