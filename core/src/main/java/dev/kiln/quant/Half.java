package dev.kiln.quant;

/**
 * IEEE 754 half precision (binary16) conversions; TeaVM's classlib lacks {@code Float.float16ToFloat}.
 * Rounding to half is round-to-nearest-even, like the GPU's {@code pack2x16float} and numpy.
 */
public final class Half {
    private Half() {}

    public static float toFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf / nan
        if (exp == 0) {
            if (mant == 0) return Float.intBitsToFloat(sign);
            float f = mant * 5.9604645E-8f; // subnormal: mant * 2^-24
            return sign != 0 ? -f : f;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    public static int fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) return sign | 0x7c00 | (mant != 0 ? 0x200 : 0);
        int e = exp - 127 + 15;
        if (e >= 0x1f) return sign | 0x7c00; // overflow to infinity
        if (e <= 0) {
            if (e < -10) return sign; // underflow to zero
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) half++;
            return sign | half;
        }
        int half = (e << 10) | (mant >> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) half++; // may carry into the exponent: still right
        return sign | half;
    }

    /** Rounds a float to the nearest half and back. */
    public static float round(float f) { return toFloat(fromFloat(f)); }
}
