package dev.kiln.packager.gguf;

/**
 * The GGML tensor types Kiln imports, with their GGUF ids and block geometry. A tensor of {@code n} elements
 * (n a multiple of {@code blockSize}) occupies {@code n / blockSize * blockBytes} bytes.
 *
 * <pre>
 * F32   4 bytes per element
 * F16   2 bytes per element (IEEE binary16)
 * BF16  2 bytes per element (the high half of an f32)
 * Q8_0  blocks of 32: f16 d, 32 x int8 q                         value = d * q
 * Q4_0  blocks of 32: f16 d, 16 bytes; byte j = q[j] | q[j+16]<<4  value = d * (q - 8)
 * </pre>
 */
public enum GgmlType {
    F32(0, 1, 4), F16(1, 1, 2), Q4_0(2, 32, 18), Q8_0(8, 32, 34), BF16(30, 1, 2);

    /** GGUF type id. */
    public final int id;
    /** Elements per block. */
    public final int blockSize;
    /** Bytes per block. */
    public final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** Bytes of a tensor of {@code elements} elements (a multiple of the block size). */
    public long byteSize(long elements) { return elements / blockSize * blockBytes; }

    /** The type with GGUF id {@code id}, or null when Kiln does not import it. */
    static GgmlType ofId(int id) {
        for (GgmlType t : values()) if (t.id == id) return t;
        return null;
    }

    /** GGML's name for a type id, for messages: {@code Q4_K (12)}. */
    static String describe(int id) {
        return id >= 0 && id < KNOWN.length && KNOWN[id] != null ? KNOWN[id] + " (" + id + ")" : "id " + id;
    }

    /** GGML's names for the type ids Kiln does not import, so an error can say what the file holds. */
    private static final String[] KNOWN = {
        "F32", "F16", "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0", "Q5_1", "Q8_0", "Q8_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",
        "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M",
        "BF16", "Q4_0_4_4", "Q4_0_4_8", "Q4_0_8_8", "TQ1_0", "TQ2_0", "IQ4_NL_4_4", "IQ4_NL_4_8", "IQ4_NL_8_8", "MXFP4",
    };
}
