package dev.kiln.model;

/**
 * How a tensor's elements are stored in a shard. Every layout is a whole number of 32-bit words, little-endian,
 * because WGSL reads weights as {@code array<u32>} (f16 through {@code unpack2x16float}, so the f32 compute path
 * needs no {@code shader-f16}).
 *
 * <p>A 2-D tensor has shape {@code [rows, cols]} (row-major: {@code cols} is the contiguous, reduced dimension of a
 * mat-vec). Quantized formats group {@code GROUP} consecutive elements of one row under one f16 scale.
 *
 * <pre>
 * F32  rows*cols f32
 * F16  rows*cols f16, two per u32 (element 2i in the low half), padded to a whole word
 * Q8   [quants: rows*cols int8, four per u32, element 4i in the lowest byte]
 *      [scales: rows*(cols/32) f16, two per u32, padded to a whole word]     value = scale * q
 * Q4   [quants: rows*cols nibbles, eight per u32, element 8i in bits 0..3, 8i+7 in bits 28..31]
 *      [scales: rows*(cols/32) f16, two per u32, padded to a whole word]     value = scale * (q - 8)
 * </pre>
 * See {@code docs/format.md}; {@link dev.kiln.quant.Q4} and {@link dev.kiln.quant.Q8} implement them.
 */
public enum DType {
    F32("f32"), F16("f16"), Q8("q8"), Q4("q4");

    /** Elements per scale in the quantized formats. */
    public static final int GROUP = 32;

    private final String id;

    DType(String id) { this.id = id; }

    /** The name used in manifests and on the command line. */
    public String id() { return id; }

    public boolean quantized() { return this == Q8 || this == Q4; }

    /** Bytes this tensor occupies in its shard (always a multiple of 4). */
    public long byteSize(long rows, long cols) {
        long n = rows * cols;
        return switch (this) {
            case F32 -> 4 * n;
            case F16 -> pad4(2 * n);
            case Q8 -> n + scaleBytes(rows, cols);
            case Q4 -> pad4(n / 2) + scaleBytes(rows, cols);
        };
    }

    /** Byte offset of the scale section inside a quantized tensor. */
    public long scaleOffset(long rows, long cols) {
        return switch (this) {
            case Q8 -> rows * cols;
            case Q4 -> pad4(rows * cols / 2);
            default -> throw new IllegalStateException(id + " has no scales");
        };
    }

    private static long scaleBytes(long rows, long cols) {
        if (cols % GROUP != 0) throw new IllegalArgumentException("rows of " + cols + " are not a multiple of " + GROUP);
        return pad4(rows * (cols / GROUP) * 2);
    }

    static long pad4(long bytes) { return (bytes + 3) & ~3L; }

    public static DType fromId(String id) {
        for (DType t : values()) if (t.id.equals(id)) return t;
        throw new IllegalArgumentException("unknown dtype '" + id + "', expected f32, f16, q8 or q4");
    }
}
