package dev.kiln.quant;

import dev.kiln.model.DType;

/**
 * The 8-bit layout (DType.Q8): groups of 32 consecutive elements of a row share one f16 scale; value = scale*q,
 * q in -127..127. Two sections of whole u32 words:
 *
 * <pre>
 *  quants  int8 per element, row-major; word w holds elements 4w .. 4w+3, element 4w+i in bits 8i .. 8i+7
 *  scales  f16 per group, two per word, group 2j in the low half; padded to a word
 * </pre>
 *
 * GGUF Q8_0 (per block: f16 d, 32 int8) converts without loss. WGSL twin: {@code weights_q8.wgsl}.
 */
public final class Q8 {
    private Q8() {}

    /** Quantizes like llama.cpp's Q8_0: d = max|x|/127, q = round(x/d). */
    public static byte[] quantize(float[] x, int rows, int cols) {
        byte[] out = new byte[(int) DType.Q8.byteSize(rows, cols)];
        int scales = (int) DType.Q8.scaleOffset(rows, cols);
        int groups = rows * cols / DType.GROUP;
        for (int g = 0; g < groups; g++) {
            int base = g * DType.GROUP;
            float amax = 0;
            for (int k = 0; k < DType.GROUP; k++) amax = Math.max(amax, Math.abs(x[base + k]));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            for (int k = 0; k < DType.GROUP; k++) out[base + k] = (byte) Math.round(x[base + k] * id);
            Q4.putHalf(out, scales, g, Half.fromFloat(d));
        }
        return out;
    }

    /** Converts GGUF Q8_0 blocks (34 bytes each) to this layout without changing any value. */
    public static byte[] fromGguf(byte[] blocks, int rows, int cols) {
        byte[] out = new byte[(int) DType.Q8.byteSize(rows, cols)];
        int scales = (int) DType.Q8.scaleOffset(rows, cols);
        int groups = rows * cols / DType.GROUP;
        for (int g = 0; g < groups; g++) {
            int b = g * 34;
            Q4.putHalf(out, scales, g, (blocks[b] & 0xff) | (blocks[b + 1] & 0xff) << 8);
            System.arraycopy(blocks, b + 2, out, g * DType.GROUP, DType.GROUP);
        }
        return out;
    }

    public static void dequantizeRow(byte[] data, int offset, int rows, int cols, int row, float[] out) {
        int scales = offset + (int) DType.Q8.scaleOffset(rows, cols);
        for (int c = 0; c < cols; c++) {
            int e = row * cols + c;
            out[c] = Q4.getHalf(data, scales, e / DType.GROUP) * data[offset + e];
        }
    }
}
