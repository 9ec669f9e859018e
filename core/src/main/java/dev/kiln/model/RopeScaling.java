package dev.kiln.model;

import java.util.List;

/**
 * How a model stretches RoPE past the context it was trained on: a change to the inverse frequencies only, so it
 * lives once in {@link RopeFrequencies} and never in a kernel. The manifest's optional {@code config.rope_scaling}.
 *
 * @param type            none, linear, llama3 or factors
 * @param factor          how much longer the context is than the original (linear, llama3; 1 for factors)
 * @param lowFreqFactor   llama3: wavelengths above originalContext / lowFreqFactor are divided by factor
 * @param highFreqFactor  llama3: wavelengths below originalContext / highFreqFactor are kept; smoothed in between
 * @param originalContext llama3: the pre-training context ({@code original_max_position_embeddings})
 * @param factors         factors: (headSize/2) divisors, one per inverse frequency (llama.cpp's {@code rope_freqs}
 *                        tensor of a GGUF file); longrope: the short factors; empty for the other types
 * @param longFactors     longrope: the (headSize/2) long factors, used when the engine's context exceeds
 *                        originalContext; empty for the other types
 * @param attentionFactor longrope: what transformers multiplies into cos and sin (so q and k after RoPE are scaled
 *                        by it and attention scores by its square); 1 for the other types
 */
public record RopeScaling(Type type, float factor, float lowFreqFactor, float highFreqFactor, int originalContext,
                          List<Float> factors, List<Float> longFactors, float attentionFactor) {

    /** No scaling: the plain frequencies base^(−2i/headSize). */
    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1f, 0f, 0f, 0);

    public enum Type {
        NONE("none"), LINEAR("linear"), LLAMA3("llama3"), FACTORS("factors"), LONGROPE("longrope");

        private final String id;

        Type(String id) { this.id = id; }

        public String id() { return id; }

        public static Type fromId(String id) {
            for (Type t : values()) if (t.id.equals(id)) return t;
            throw new IllegalArgumentException("unknown rope_scaling type '" + id + "', expected none, linear, llama3, factors or longrope");
        }
    }

    /** A scaling without per-frequency factors (every type but factors and longrope). */
    public RopeScaling(Type type, float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {
        this(type, factor, lowFreqFactor, highFreqFactor, originalContext, List.of());
    }

    /** A scaling without long factors or attention factor (every type but longrope). */
    public RopeScaling(Type type, float factor, float lowFreqFactor, float highFreqFactor, int originalContext,
                       List<Float> factors) {
        this(type, factor, lowFreqFactor, highFreqFactor, originalContext, factors, List.of(), 1f);
    }

    public RopeScaling {
        if (type == null) throw new IllegalArgumentException("rope_scaling needs a type");
        factors = List.copyOf(factors);
        longFactors = List.copyOf(longFactors);
        boolean perFrequency = type == Type.FACTORS || type == Type.LONGROPE;
        if (perFrequency == factors.isEmpty()) {
            throw new IllegalArgumentException("rope_scaling " + type.id() + (perFrequency
                    ? " needs one factor per inverse frequency (head_size/2 values), got none" : " takes no per-frequency factors"));
        }
        if ((type == Type.LONGROPE) == longFactors.isEmpty()) {
            throw new IllegalArgumentException("rope_scaling " + type.id() + (type == Type.LONGROPE
                    ? " needs long factors (head_size/2 values), got none" : " takes no long factors"));
        }
        if (type == Type.LONGROPE && longFactors.size() != factors.size()) {
            throw new IllegalArgumentException("longrope rope_scaling has " + factors.size() + " short and "
                    + longFactors.size() + " long factors, expected as many of each (head_size/2)");
        }
        for (List<Float> list : List.of(factors, longFactors)) {
            for (Float f : list) {
                if (f == null || !(f > 0) || f.isInfinite()) {
                    throw new IllegalArgumentException("rope_scaling factors must be positive and finite, got " + f);
                }
            }
        }
        if (!(attentionFactor > 0) || Float.isInfinite(attentionFactor)) {
            throw new IllegalArgumentException("rope_scaling attention factor must be positive and finite, got " + attentionFactor);
        }
        if (type != Type.LONGROPE && attentionFactor != 1f) {
            throw new IllegalArgumentException("rope_scaling " + type.id() + " takes no attention factor, got " + attentionFactor);
        }
        if (type == Type.LONGROPE && originalContext <= 0) {
            throw new IllegalArgumentException("longrope rope_scaling needs a positive original context, got " + originalContext);
        }
        if (type != Type.NONE && !(factor > 0)) {
            throw new IllegalArgumentException("rope_scaling " + type.id() + " needs a positive factor, got " + factor);
        }
        if (type == Type.LLAMA3) {
            if (!(highFreqFactor > lowFreqFactor) || !(lowFreqFactor > 0)) {
                throw new IllegalArgumentException("llama3 rope_scaling needs 0 < low_freq_factor < high_freq_factor, got "
                        + lowFreqFactor + " and " + highFreqFactor);
            }
            if (originalContext <= 0) {
                throw new IllegalArgumentException("llama3 rope_scaling needs a positive original context, got " + originalContext);
            }
        }
    }

    /** Inverse frequency {@code invFreq / factor}: the whole band for linear. */
    public static RopeScaling linear(float factor) { return new RopeScaling(Type.LINEAR, factor, 0f, 0f, 0); }

    /**
     * Inverse frequency i divided by {@code factors[i]}: llama.cpp's precomputed per-dimension factors (the
     * {@code rope_freqs} tensor its converter writes for Llama 3.x, which holds the llama3 scaling in this form).
     */
    public static RopeScaling factors(List<Float> factors) { return new RopeScaling(Type.FACTORS, 1f, 0f, 0f, 0, factors); }

    /**
     * Phi-3.5's LongRoPE: inverse frequency i divided by {@code shortFactors[i]}, or by {@code longFactors[i]} when the
     * engine's context exceeds {@code originalContext} ({@link RopeFrequencies}); q and k scaled by
     * {@code attentionFactor} after the rotation.
     */
    public static RopeScaling longrope(List<Float> shortFactors, List<Float> longFactors, int originalContext,
                                       float attentionFactor) {
        return new RopeScaling(Type.LONGROPE, 1f, 0f, 0f, originalContext, shortFactors, longFactors, attentionFactor);
    }

    /**
     * LongRoPE's default attention factor (transformers' {@code _compute_longrope_parameters}, the LongRoPE paper):
     * √(1 + ln factor / ln originalContext), or 1 when factor ≤ 1; factor is how much longer the context is than the
     * original one (Phi-3: max_position_embeddings / original_max_position_embeddings).
     */
    public static float longropeAttentionFactor(double factor, int originalContext) {
        return factor <= 1 ? 1f : (float) Math.sqrt(1 + Math.log(factor) / Math.log(originalContext));
    }

    /** Llama 3.x: long wavelengths divided by factor, short ones kept, a linear blend in between. */
    public static RopeScaling llama3(float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {
        return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalContext);
    }
}
