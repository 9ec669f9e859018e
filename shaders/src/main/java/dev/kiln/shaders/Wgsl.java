package dev.kiln.shaders;

import dev.kiln.model.DType;

/**
 * The preprocessor: the whole of it. A kernel's WGSL is the concatenation of up to six parts, in this order:
 *
 * <pre>
 *  1. precision prelude   F16: "enable f16;" + "alias kv = f16;"      F32: "alias kv = f32;"
 *  2. weight prelude      weights_f32.wgsl | weights_f16.wgsl | weights_q8.wgsl | weights_q4.wgsl
 *                         (only for kernels with a weight binding: EMBED, MAT_VEC, MAT_MUL)
 *  3. reduction prelude   reduce.wgsl: reduce_sum, reduce_sum4, reduce_max, reduce_best over the workgroup
 *                         (only for kernels that {@link Kernel#reduces()}; they define {@code const WG}), or
 *                         reduce_subgroups.wgsl, the same functions through subgroup operations, when asked
 *                         (then "enable subgroups;" comes first)
 *  4. team prelude        mat_vec_team.wgsl: the workgroup as one team of rows, or mat_vec_team_subgroups.wgsl,
 *                         a team per subgroup, when asked (only for kernels that {@link Kernel#dotsRows()})
 *  5. row-dot prelude     mat_vec_rows.wgsl: dot_rows, four weight rows against x, RMSNorm folded in on request
 *                         (only for kernels that {@link Kernel#dotsRows()}: the mat-vecs)
 *  6. rotary prelude      rotary.wgsl: rotation, rope_pair, rotate (only for kernels that {@link Kernel#rotates()})
 *  7. the kernel file     &lt;role&gt;.wgsl
 * </pre>
 *
 * Every weight prelude defines the same functions over the kernel's {@code w: array<u32>} binding:
 * {@code w_at(e, scales) -> f32} (element e of the row-major tensor, dequantized),
 * {@code w_dot8(e, scales, xa, xb) -> f32} (the dot product of elements e..e+7 with xa ++ xb; e + 8 within one row,
 * and e a multiple of 8 for the quantized formats), {@code w_dot16(e, scales, x0, x1, x2, x3) -> f32} (the same
 * for 16 elements; e a multiple of 16 for the quantized formats, whose one scale then covers all 16) and
 * {@code w_unpack8(e, scales) -> array<vec4<f32>, 2>} (elements e..e+7 dequantized, each equal to w_at's, as
 * (e..e+3, e+4..e+7); e + 8 within the tensor, and e a multiple of 8 for the quantized formats, where it reads one
 * scale for the 8). {@code scales} is the word offset of the scale section
 * ({@link DType#scaleOffset} / 4; 0 for f32 and f16). Kernels are written once against {@code kv} and these
 * functions; there are no conditionals in the text and nothing else is substituted.
 */
public final class Wgsl {
    private Wgsl() {}

    /**
     * The full WGSL text of {@code kernel} in {@code precision}.
     *
     * @param weights the weight tensor's dtype for kernels with {@link Kernel#hasWeights()}; ignored (may be null)
     *                for the others
     */
    public static String source(Kernel kernel, Precision precision, DType weights) {
        return source(kernel, precision, weights, null);
    }

    /**
     * Like {@link #source(Kernel, Precision, DType)} with {@code kernelText} in place of the kernel file (the preludes
     * stay): how a developer tries a changed kernel without rebuilding ({@code kiln verify --steps --kernel}).
     * Null means the built-in file.
     */
    public static String source(Kernel kernel, Precision precision, DType weights, String kernelText) {
        return source(kernel, precision, weights, false, kernelText);
    }

    /**
     * Like {@link #source(Kernel, Precision, DType, String)}; {@code subgroups}: a reducing kernel takes the subgroup
     * variant of the reduction prelude ({@link #SUBGROUP_REDUCE_PRELUDE}, after {@code enable subgroups;}) and a mat-vec the
     * subgroup team prelude ({@link #SUBGROUP_TEAM_PRELUDE}), which need
     * the device feature {@code subgroups}. Kernels that do not reduce are the same either way.
     */
    public static String source(Kernel kernel, Precision precision, DType weights, boolean subgroups, String kernelText) {
        if (kernel == null || precision == null) throw new IllegalArgumentException("kernel and precision are required");
        boolean sg = subgroups && kernel.reduces();
        StringBuilder b = new StringBuilder(sg ? "enable subgroups;\n" : "").append(precision.prelude());
        if (kernel.hasWeights()) {
            if (weights == null) {
                throw new IllegalArgumentException(kernel + " reads weights: pass their dtype (f32, f16, q8 or q4)");
            }
            b.append(file(weightPrelude(weights)));
        }
        if (kernel.reduces()) b.append(file(sg ? SUBGROUP_REDUCE_PRELUDE : REDUCE_PRELUDE));
        if (kernel.dotsRows()) b.append(file(sg ? SUBGROUP_TEAM_PRELUDE : TEAM_PRELUDE)).append(file(ROWS_PRELUDE));
        if (kernel.rotates()) b.append(file(ROTARY_PRELUDE));
        return b.append(kernelText != null ? kernelText : file(kernel.fileName())).toString();
    }

    /** The workgroup-reduction prelude's file name. */
    public static final String REDUCE_PRELUDE = "reduce.wgsl";

    /** The subgroup variant of the reduction prelude: the same functions through subgroup operations. */
    public static final String SUBGROUP_REDUCE_PRELUDE = "reduce_subgroups.wgsl";

    /** The feature the subgroup variant needs. */
    public static final String SUBGROUPS = "subgroups";

    /** The rotary prelude's file name: RoPE's rotation for the kernels that rotate. */
    public static final String ROTARY_PRELUDE = "rotary.wgsl";

    /** The team prelude's file name: a mat-vec workgroup as one team of rows. */
    public static final String TEAM_PRELUDE = "mat_vec_team.wgsl";

    /** The subgroup variant of the team prelude: one team of rows per subgroup. */
    public static final String SUBGROUP_TEAM_PRELUDE = "mat_vec_team_subgroups.wgsl";

    /** The row-dot prelude's file name. */
    public static final String ROWS_PRELUDE = "mat_vec_rows.wgsl";

    /** The file name of the weight-format prelude for {@code t}, e.g. {@code weights_q4.wgsl}. */
    public static String weightPrelude(DType t) { return "weights_" + t.id() + ".wgsl"; }

    /** The raw text of one file of {@code src/main/wgsl} as embedded at build time. */
    public static String file(String fileName) {
        String text = ShaderSources.get(fileName);
        if (text == null) throw new IllegalArgumentException("no WGSL file '" + fileName + "' in the shaders module");
        return text;
    }
}
