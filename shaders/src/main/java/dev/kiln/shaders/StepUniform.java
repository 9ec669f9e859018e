package dev.kiln.shaders;

/**
 * The per-submit uniform {@code struct Step { pos: u32, rows: u32 }}, bound just before {@code Params} in EMBED, ROPE,
 * ATTENTION, MAT_MUL, CAUSAL_ATTENTION, ARGMAX and TOP_K: the position of the (first) token and how many positions
 * from it the submit processes (1 per decoded token; a block's rows in prefill). One 16-byte buffer written once per
 * token or block keeps every bind group static.
 */
public final class StepUniform {
    private StepUniform() {}

    /** Size of the uniform buffer (the struct is 4 bytes, padded to 16). */
    public static final int BYTES = 16;

    /** The bytes for the one position {@code pos} (0-based). */
    public static byte[] bytes(int pos) { return block(pos, 1); }

    /** The bytes for {@code rows} positions from {@code pos} on (a prefill block). */
    public static byte[] block(int pos, int rows) {
        if (pos < 0) throw new IllegalArgumentException("position must be >= 0, got " + pos);
        if (rows < 1) throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        return new UniformWriter(4).u32(pos).u32(rows).bytes();
    }
}
