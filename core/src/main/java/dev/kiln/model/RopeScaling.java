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
 *                        tensor of a GGUF file); empty for the other types
 */
public record RopeScaling(Type type, float factor, float lowFreqFactor, float highFreqFactor, int originalContext,
                          List<Float> factors) {

    /** No scaling: the plain frequencies base^(−2i/headSize). */
    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1f, 0f, 0f, 0);

    public enum Type {
        NONE("none"), LINEAR("linear"), LLAMA3("llama3"), FACTORS("factors");

        private final String id;

        Type(String id) { this.id = id; }

        public String id() { return id; }

        public static Type fromId(String id) {
            for (Type t : values()) if (t.id.equals(id)) return t;
            throw new IllegalArgumentException("unknown rope_scaling type '" + id + "', expected none, linear, llama3 or factors");
        }
    }

    /** A scaling without per-frequency factors (every type but factors). */
    public RopeScaling(Type type, float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {
        this(type, factor, lowFreqFactor, highFreqFactor, originalContext, List.of());
    }

    public RopeScaling {
        if (type == null) throw new IllegalArgumentException("rope_scaling needs a type");
        factors = List.copyOf(factors);
        if ((type == Type.FACTORS) == factors.isEmpty()) {
            throw new IllegalArgumentException("rope_scaling " + type.id() + (type == Type.FACTORS
                    ? " needs one factor per inverse frequency (head_size/2 values), got none" : " takes no per-frequency factors"));
        }
        for (Float f : factors) {
            if (f == null || !(f > 0) || f.isInfinite()) {
                throw new IllegalArgumentException("rope_scaling factors must be positive and finite, got " + f);
            }
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

    /** Llama 3.x: long wavelengths divided by factor, short ones kept, a linear blend in between. */
    public static RopeScaling llama3(float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {
        return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalContext);
    }
}
