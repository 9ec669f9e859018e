package dev.kiln.model;

/**
 * RoPE's inverse frequencies, computed once per model here and nowhere else: the CPU reference rotates with them and
 * the engine uploads them as a small buffer the ROPE kernel reads, so a scaling type never touches WGSL.
 *
 * <pre>
 * invFreq[i] = base^(−2i/headSize)                                  i &lt; headSize/2
 * linear:   invFreq[i] / factor
 * llama3:   (Hugging Face's _compute_llama3_parameters) with wavelen = 2π / invFreq[i],
 *           lowWl = originalContext / lowFreqFactor, highWl = originalContext / highFreqFactor:
 *           wavelen &lt; highWl            → invFreq[i]                     (high frequencies kept)
 *           wavelen &gt; lowWl             → invFreq[i] / factor            (low frequencies stretched)
 *           otherwise, s = (originalContext / wavelen − lowFreqFactor) / (highFreqFactor − lowFreqFactor):
 *                                          (1 − s) · invFreq[i] / factor + s · invFreq[i]
 * factors:  invFreq[i] / factors[i]                               (llama.cpp's rope_freqs: θ_i / ff_i)
 * longrope: invFreq[i] / long[i]  when context &gt; originalContext, else invFreq[i] / short[i]
 * </pre>
 * Computed in double, stored as f32 (as Hugging Face stores {@code inv_freq}).
 *
 * <p>LongRoPE's choice of factors is fixed for a loaded model, as llama.cpp makes it (long factors when the context
 * it allocates exceeds {@code original_max_position_embeddings}): the engine's context is the config's, so one table
 * serves every position. transformers instead switches per forward call on the current sequence length (short
 * factors while the sequence fits the original context, long ones past it, re-rotating nothing already cached); for
 * a model whose context exceeds the original one (Phi-3.5: 131072 vs 4096) the two agree only once a sequence is past
 * the original context. The attention factor ({@link RopeScaling#attentionFactor()}) is no part of this table: it
 * scales q and k after the rotation.
 */
public final class RopeFrequencies {
    private RopeFrequencies() {}

    /** The (headSize/2) inverse frequencies of this config's RoPE, scaling applied, for its context. */
    public static float[] of(ModelConfig c) { return of(c.ropeBase(), c.headSize(), c.ropeScaling(), c.context()); }

    /** A scaling that does not depend on the context (every type but longrope). */
    public static float[] of(float base, int headSize, RopeScaling s) {
        if (s.type() == RopeScaling.Type.LONGROPE) {
            throw new IllegalArgumentException("longrope frequencies depend on the context: pass it");
        }
        return of(base, headSize, s, 0);
    }

    /** @param context the positions the engine allocates (longrope picks its long factors past the original context) */
    public static float[] of(float base, int headSize, RopeScaling s, int context) {
        if (headSize <= 0 || headSize % 2 != 0) throw new IllegalArgumentException("head size must be even and positive, got " + headSize);
        float[] out = new float[headSize / 2];
        if (!s.factors().isEmpty() && s.factors().size() != out.length) {
            throw new IllegalArgumentException("rope_scaling factors has " + s.factors().size() + " values, expected head_size/2 = " + out.length);
        }
        boolean useLong = s.type() == RopeScaling.Type.LONGROPE && context > s.originalContext();
        for (int i = 0; i < out.length; i++) {
            double inv = 1.0 / Math.pow(base, (2.0 * i) / headSize);
            out[i] = (float) switch (s.type()) {
                case NONE -> inv;
                case LINEAR -> inv / s.factor();
                case LLAMA3 -> llama3(inv, s);
                case FACTORS -> inv / s.factors().get(i);
                case LONGROPE -> inv / (useLong ? s.longFactors() : s.factors()).get(i);
            };
        }
        return out;
    }

    private static double llama3(double inv, RopeScaling s) {
        double wavelen = 2 * Math.PI / inv;
        double lowWavelen = (double) s.originalContext() / s.lowFreqFactor();
        double highWavelen = (double) s.originalContext() / s.highFreqFactor();
        if (wavelen < highWavelen) return inv;
        if (wavelen > lowWavelen) return inv / s.factor();
        double smooth = (s.originalContext() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
        return (1 - smooth) * inv / s.factor() + smooth * inv;
    }
}
