package dev.kiln.quant;

import dev.kiln.model.DType;

/**
 * The 4-bit layout (DType.Q4): groups of 32 consecutive elements of a row share one f16 scale; value = scale*(q-8),
 * q in 0..15. A tensor is two sections, both whole u32 words, so WGSL reads them as {@code array<u32>}:
 *
 * <pre>
 *  quants  word w holds elements 8w .. 8w+7 (row-major), element 8w+i in bits 4i .. 4i+3
 *          ┌────┬────┬────┬────┬────┬────┬────┬────┐
 *          │ e7 │ e6 │ e5 │ e4 │ e3 │ e2 │ e1 │ e0 │  u32, bit 31 on the left
 *          └────┴────┴────┴────┴────┴────┴────┴────┘
 *  scales  f16 per group g = (row*cols + col)/32, two per word, group 2j in the low half; padded to a word
 * </pre>
 *
 * GGUF Q4_0 (per block: f16 d, 16 bytes; byte j holds element j in its low nibble and j+16 in its high nibble;
 * value = d*(q-8)) converts to this without loss. WGSL twin: {@code shaders/.../weights_q4.wgsl}.
 */
public final class Q4 {
    private Q4() {}

    /** Quantizes rows×cols floats (cols a multiple of 32) like llama.cpp's Q4_0: d = signed max / -8. */
    public static byte[] quantize(float[] x, int rows, int cols) {
        byte[] out = new byte[(int) DType.Q4.byteSize(rows, cols)];
        int scales = (int) DType.Q4.scaleOffset(rows, cols);
        int groups = rows * cols / DType.GROUP;
        for (int g = 0; g < groups; g++) {
            int base = g * DType.GROUP;
            float amax = 0, max = 0;
            for (int k = 0; k < DType.GROUP; k++) {
                float v = x[base + k];
                if (Math.abs(v) > amax) { amax = Math.abs(v); max = v; }
            }
            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f; // from the unrounded scale, as llama.cpp does
            int h = Half.fromFloat(d);
            for (int k = 0; k < DType.GROUP; k++) {
                int q = Math.min(15, (int) (x[base + k] * id + 8.5f));
                setNibble(out, base + k, q);
            }
            putHalf(out, scales, g, h);
        }
        return out;
    }

    /** Converts GGUF Q4_0 blocks (18 bytes each) to this layout without changing any value. */
    public static byte[] fromGguf(byte[] blocks, int rows, int cols) {
        byte[] out = new byte[(int) DType.Q4.byteSize(rows, cols)];
        int scales = (int) DType.Q4.scaleOffset(rows, cols);
        int groups = rows * cols / DType.GROUP;
        for (int g = 0; g < groups; g++) {
            int b = g * 18;
            int h = (blocks[b] & 0xff) | (blocks[b + 1] & 0xff) << 8;
            putHalf(out, scales, g, h);
            for (int j = 0; j < 16; j++) {
                int v = blocks[b + 2 + j] & 0xff;
                setNibble(out, g * DType.GROUP + j, v & 0xf);
                setNibble(out, g * DType.GROUP + j + 16, v >>> 4);
            }
        }
        return out;
    }

    /** Element e's quant q (0..15). */
    public static int nibble(byte[] data, int offset, int e) {
        int v = data[offset + (e >>> 1)] & 0xff; // little-endian words: element 8w+i sits in byte 4w + i/2
        return (e & 1) == 0 ? v & 0xf : v >>> 4;
    }

    /** Dequantizes row {@code row} of a Q4 tensor starting at {@code offset} in {@code data} into {@code out[0..cols)}. */
    public static void dequantizeRow(byte[] data, int offset, int rows, int cols, int row, float[] out) {
        int scales = offset + (int) DType.Q4.scaleOffset(rows, cols);
        for (int c = 0; c < cols; c++) {
            int e = row * cols + c;
            out[c] = getHalf(data, scales, e / DType.GROUP) * (nibble(data, offset, e) - 8);
        }
    }

    private static void setNibble(byte[] out, int e, int q) {
        int i = e >>> 1;
        out[i] = (byte) ((e & 1) == 0 ? (out[i] & 0xf0) | q : (out[i] & 0x0f) | (q << 4));
    }

    static void putHalf(byte[] out, int sectionOffset, int g, int h) {
        out[sectionOffset + 2 * g] = (byte) h;
        out[sectionOffset + 2 * g + 1] = (byte) (h >>> 8);
    }

    static float getHalf(byte[] data, int sectionOffset, int g) {
        return Half.toFloat((data[sectionOffset + 2 * g] & 0xff) | (data[sectionOffset + 2 * g + 1] & 0xff) << 8);
    }
}
