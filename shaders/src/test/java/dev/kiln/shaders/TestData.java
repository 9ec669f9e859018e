package dev.kiln.shaders;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.model.DType;
import dev.kiln.quant.Half;
import dev.kiln.quant.Q4;
import dev.kiln.quant.Q8;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** Inputs for kernel tests (seeded random values, packed weights) and the closeness check every test uses. */
final class TestData {
    private TestData() {}

    /** n values uniform in [lo, hi), reproducible from the seed. */
    static float[] uniform(long seed, int n, float lo, float hi) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.nextFloat();
        return v;
    }

    /** A rows×cols tensor in the stored layout of {@code t} (core's codecs). */
    static byte[] pack(DType t, float[] w, int rows, int cols) {
        return switch (t) {
            case F32 -> f32Bytes(w);
            case F16 -> f16Bytes(w);
            case Q8 -> Q8.quantize(w, rows, cols);
            case Q4 -> Q4.quantize(w, rows, cols);
        };
    }

    /** v zero-padded to whole vec4s: how a mat-vec's input and norm weight are bound. */
    static float[] padded(float[] v) { return java.util.Arrays.copyOf(v, (v.length + 3) / 4 * 4); }

    static byte[] f32Bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    /** Halves, two per word, element 2i in the low half, padded to a whole word. */
    static byte[] f16Bytes(float[] v) {
        byte[] out = new byte[(2 * v.length + 3) & ~3];
        for (int i = 0; i < v.length; i++) {
            int h = Half.fromFloat(v[i]);
            out[2 * i] = (byte) h;
            out[2 * i + 1] = (byte) (h >>> 8);
        }
        return out;
    }

    /** Each value rounded to the nearest half (what an f16 buffer holds). */
    static float[] roundToHalf(float[] v) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) r[i] = Half.round(v[i]);
        return r;
    }

    /** KV-cache bytes in the element type of {@code p}. */
    static byte[] kvBytes(Precision p, float[] v) { return p == Precision.F16 ? f16Bytes(v) : f32Bytes(v); }

    /** Reads a KV-cache buffer back as floats. */
    static float[] kvFloats(Precision p, byte[] b, int n) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = p == Precision.F16 ? Half.toFloat(bb.getShort(2 * i) & 0xffff) : bb.getFloat(4 * i);
        return v;
    }

    /**
     * Fails unless |actual[i] − expected[i]| ≤ tol[i] for every i (and both have the same length), naming the worst
     * element; NaN anywhere fails.
     */
    static void assertClose(String what, float[] expected, float[] actual, float[] tol) {
        if (actual.length < expected.length) fail(what + ": got " + actual.length + " values, expected " + expected.length);
        int worst = -1;
        double worstRatio = 0, maxErr = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(err)) fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            maxErr = Math.max(maxErr, err);
            double ratio = err / tol[i];
            if (ratio > worstRatio) { worstRatio = ratio; worst = i; }
        }
        if (worstRatio > 1) {
            fail(what + ": element " + worst + " is " + actual[worst] + ", expected " + expected[worst] + " ± " + tol[worst]
                    + " (max abs error " + maxErr + ")");
        }
    }

    /** The same tolerance for every element. */
    static void assertClose(String what, float[] expected, float[] actual, double tol) {
        float[] t = new float[expected.length];
        java.util.Arrays.fill(t, (float) tol);
        assertClose(what, expected, actual, t);
    }
}
