package dev.kiln.packager;

import dev.kiln.model.DType;

/**
 * What the packager stores 2-D weight matrices as ({@code --quant}). Vectors (norm weights) are always f32. A matrix
 * whose rows (cols) are not a multiple of {@link DType#GROUP} cannot be q4/q8 and is stored f16 instead.
 */
public enum Quant {
    /** Keep the input's type where Kiln has it (Q4_0→q4, Q8_0→q8, F16→f16, F32→f32); BF16 becomes f32. */
    KEEP("keep"),
    Q4("q4"), Q8("q8"), F16("f16"), F32("f32");

    private final String id;

    Quant(String id) { this.id = id; }

    public String id() { return id; }

    public static Quant fromId(String id) {
        for (Quant q : values()) if (q.id.equalsIgnoreCase(id)) return q;
        throw new IllegalArgumentException("unknown quantization '" + id + "', expected q4, q8, f16, f32 or keep");
    }
}
