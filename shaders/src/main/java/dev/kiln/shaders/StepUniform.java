package dev.kiln.shaders;

/**
 * The per-token uniform {@code struct Step { pos: u32 }}, bound just before {@code Params} in EMBED, ROPE, ATTENTION,
 * ARGMAX and TOP_K. One 16-byte buffer written once per token keeps every bind group static.
 */
public final class StepUniform {
    private StepUniform() {}

    /** Size of the uniform buffer (the struct is 4 bytes, padded to 16). */
    public static final int BYTES = 16;

    /** The bytes for position {@code pos} (0-based). */
    public static byte[] bytes(int pos) {
        if (pos < 0) throw new IllegalArgumentException("position must be >= 0, got " + pos);
        return new UniformWriter(4).u32(pos).bytes();
    }
}
