package dev.kiln.packager;

import dev.kiln.model.DType;
import dev.kiln.packager.gguf.GgmlType;
import dev.kiln.quant.Dequant;
import dev.kiln.quant.Half;
import dev.kiln.quant.Q4;
import dev.kiln.quant.Q8;

/**
 * Converts one source tensor into our storage layout ({@link DType}) and measures the error against the source.
 * Rules: vectors are f32; a matrix becomes what {@link Quant} asks, but rows (cols) that are not a multiple of
 * {@link DType#GROUP} cannot be grouped, so q4/q8 falls back to f16 there. Q4_0→q4 and Q8_0→q8 re-pack the GGUF
 * blocks without touching a value; F32→f32 and F16→f16 copy bytes.
 */
final class TensorPacker {
    private TensorPacker() {}

    /** A packed tensor: its layout, its bytes and its error. */
    record Packed(DType dtype, byte[] bytes, QuantError error) {}

    static DType target(GgmlType source, long[] shape, Quant quant) {
        if (shape.length == 1) return DType.F32;
        DType want = switch (quant) {
            case KEEP -> switch (source) {
                case F32, BF16 -> DType.F32;
                case F16 -> DType.F16;
                case Q8_0 -> DType.Q8;
                case Q4_0 -> DType.Q4;
            };
            case Q4 -> DType.Q4;
            case Q8 -> DType.Q8;
            case F16 -> DType.F16;
            case F32 -> DType.F32;
        };
        return want.quantized() && shape[1] % DType.GROUP != 0 ? DType.F16 : want;
    }

    /**
     * @param name   canonical name (for the error record)
     * @param source the input's type
     * @param raw    the input's bytes
     * @param values the input's values as f32 (decoded from {@code raw})
     * @param shape  {@code [n]} or {@code [rows, cols]}
     */
    static Packed pack(String name, GgmlType source, byte[] raw, float[] values, long[] shape, Quant quant) {
        DType dtype = target(source, shape, quant);
        int rows = (int) (shape.length == 1 ? 1 : shape[0]);
        int cols = (int) shape[shape.length - 1];
        long size = dtype.byteSize(rows, cols);
        if (size > Integer.MAX_VALUE - 16) {
            throw new ModelFormatException("tensor '" + name + "' would need " + size + " bytes as " + dtype.id()
                    + "; Kiln packs tensors of at most 2 GiB");
        }
        byte[] bytes = switch (dtype) {
            case F32 -> source == GgmlType.F32 ? raw : f32(values);
            case F16 -> source == GgmlType.F16 ? padded(raw, (int) size) : f16(values, (int) size);
            case Q8 -> source == GgmlType.Q8_0 ? Q8.fromGguf(raw, rows, cols) : Q8.quantize(values, rows, cols);
            case Q4 -> source == GgmlType.Q4_0 ? Q4.fromGguf(raw, rows, cols) : Q4.quantize(values, rows, cols);
        };
        if (bytes.length != size) {
            throw new IllegalStateException(name + ": packed " + bytes.length + " bytes, " + dtype.id() + " needs " + size);
        }
        // error = packed values read back the way the engine reads them, minus the source values
        QuantError.Meter meter = new QuantError.Meter();
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            Dequant.row(dtype, bytes, 0, rows, cols, r, row);
            meter.add(row, values, r * cols, cols);
        }
        return new Packed(dtype, bytes, meter.result(name, source.name(), dtype));
    }

    private static byte[] f32(float[] v) {
        byte[] b = new byte[4 * v.length];
        for (int i = 0; i < v.length; i++) {
            int x = Float.floatToRawIntBits(v[i]);
            b[4 * i] = (byte) x;
            b[4 * i + 1] = (byte) (x >>> 8);
            b[4 * i + 2] = (byte) (x >>> 16);
            b[4 * i + 3] = (byte) (x >>> 24);
        }
        return b;
    }

    private static byte[] f16(float[] v, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < v.length; i++) {
            int h = Half.fromFloat(v[i]);
            b[2 * i] = (byte) h;
            b[2 * i + 1] = (byte) (h >>> 8);
        }
        return b;
    }

    private static byte[] padded(byte[] raw, int size) {
        if (raw.length == size) return raw;
        byte[] b = new byte[size];
        System.arraycopy(raw, 0, b, 0, raw.length);
        return b;
    }
}
