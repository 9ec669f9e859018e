package dev.kiln.packager;

import dev.kiln.model.DType;

/**
 * How far one packed tensor is from its source values, element by element after dequantization:
 * {@code maxAbs = max |packed - source|}, {@code rms = sqrt(mean((packed - source)^2))}. Zero for lossless imports.
 *
 * @param tensor   canonical tensor name
 * @param source   the input's type name (e.g. "F32", "Q4_0")
 * @param dtype    what it was packed as
 * @param elements element count
 * @param maxAbs   largest absolute difference
 * @param rms      root mean square difference
 */
public record QuantError(String tensor, String source, DType dtype, long elements, double maxAbs, double rms) {

    /** One line for logs: {@code blk.0.attn_q  F32 -> q4  max_abs 1.234e-02  rms 3.456e-03}. */
    public String describe() {
        return String.format("%-24s %-5s -> %-3s  max_abs %.3e  rms %.3e", tensor, source, dtype.id(), maxAbs, rms);
    }

    /** Accumulates differences row by row, so no second full copy of a tensor is needed. */
    static final class Meter {
        private double maxAbs, sumSq;
        private long n;

        void add(float[] packed, float[] source, int sourceOffset, int count) {
            for (int i = 0; i < count; i++) {
                double d = Math.abs((double) packed[i] - source[sourceOffset + i]);
                if (d > maxAbs || Double.isNaN(d)) maxAbs = d;
                sumSq += d * d;
            }
            n += count;
        }

        QuantError result(String tensor, String source, DType dtype) {
            return new QuantError(tensor, source, dtype, n, maxAbs, n == 0 ? 0 : Math.sqrt(sumSq / n));
        }
    }
}
