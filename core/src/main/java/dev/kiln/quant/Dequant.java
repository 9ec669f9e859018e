package dev.kiln.quant;

import dev.kiln.model.DType;

/** Reads any stored tensor back to f32, row by row: the CPU side's view of every {@link DType}. */
public final class Dequant {
    private Dequant() {}

    /** Row {@code row} of a rows×cols tensor of type {@code t} stored at {@code data[offset..]} into {@code out}. */
    public static void row(DType t, byte[] data, int offset, int rows, int cols, int row, float[] out) {
        switch (t) {
            case F32 -> {
                int p = offset + 4 * row * cols;
                for (int c = 0; c < cols; c++, p += 4) {
                    out[c] = Float.intBitsToFloat((data[p] & 0xff) | (data[p + 1] & 0xff) << 8
                            | (data[p + 2] & 0xff) << 16 | (data[p + 3] & 0xff) << 24);
                }
            }
            case F16 -> {
                int p = offset + 2 * row * cols;
                for (int c = 0; c < cols; c++, p += 2) out[c] = Half.toFloat((data[p] & 0xff) | (data[p + 1] & 0xff) << 8);
            }
            case Q8 -> Q8.dequantizeRow(data, offset, rows, cols, row, out);
            case Q4 -> Q4.dequantizeRow(data, offset, rows, cols, row, out);
        }
    }

    /** The whole tensor as rows×cols floats (CPU reference and tests; fine for the sizes they use). */
    public static float[] all(DType t, byte[] data, int offset, int rows, int cols) {
        float[] out = new float[rows * cols];
        float[] r = new float[cols];
        for (int i = 0; i < rows; i++) {
            row(t, data, offset, rows, cols, i, r);
            System.arraycopy(r, 0, out, i * cols, cols);
        }
        return out;
    }
}
