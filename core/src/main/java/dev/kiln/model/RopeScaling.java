package dev.kiln.model;

/**
 * How a model stretches RoPE past the context it was trained on: a change to the inverse frequencies only, so it
 * lives once in {@link RopeFrequencies} and never in a kernel. The manifest's optional {@code config.rope_scaling}.
 *
 * @param type            none, linear or llama3
 * @param factor          how much longer the context is than the original (linear, llama3)
 * @param lowFreqFactor   llama3: wavelengths above originalContext / lowFreqFactor are divided by factor
 * @param highFreqFactor  llama3: wavelengths below originalContext / highFreqFactor are kept; smoothed in between
 * @param originalContext llama3: the pre-training context ({@code original_max_position_embeddings})
 */
public record RopeScaling(Type type, float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {

    /** No scaling: the plain frequencies base^(−2i/headSize). */
    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1f, 0f, 0f, 0);

    public enum Type {
        NONE("none"), LINEAR("linear"), LLAMA3("llama3");

        private final String id;

        Type(String id) { this.id = id; }

        public String id() { return id; }

        public static Type fromId(String id) {
            for (Type t : values()) if (t.id.equals(id)) return t;
            throw new IllegalArgumentException("unknown rope_scaling type '" + id + "', expected none, linear or llama3");
        }
    }

    public RopeScaling {
        if (type == null) throw new IllegalArgumentException("rope_scaling needs a type");
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

    /** Llama 3.x: long wavelengths divided by factor, short ones kept, a linear blend in between. */
    public static RopeScaling llama3(float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {
        return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalContext);
    }
}
