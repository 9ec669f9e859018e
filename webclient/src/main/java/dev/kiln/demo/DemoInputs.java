package dev.kiln.demo;

import dev.kiln.model.DType;
import dev.kiln.quant.Dequant;
import dev.kiln.quant.Half;

/**
 * The Foundation demo's inputs, reproducible bit for bit on the JVM and in both TeaVM builds from one seed, so a
 * test can recompute the expected numbers with core's CPU twin ({@code Ops.matVec}).
 *
 * <p>Generator: xorshift32 (x ^= x &lt;&lt; 13; x ^= x &gt;&gt;&gt; 17; x ^= x &lt;&lt; 5) from {@code seed} (0 is
 * replaced by 1). Draws, in this order:
 * <ol>
 *   <li>W, rows·cols f32 row-major: {@code v = (r >>> 8) · 2⁻²³ − 1}, in [−1, 1) and exact in f32 and f64, so no
 *       rounding mode can make the builds differ;</li>
 *   <li>x, cols f32, the same way;</li>
 *   <li>the q4 weights, written directly in the packed {@link DType#Q4} layout (no float rounding involved): every
 *       quant word is one draw; each group's scale is the f16 of {@code (1 + (r >>> 28)) / 64}.</li>
 * </ol>
 */
public final class DemoInputs {
    public static final int ROWS = 100;  // not a multiple of any workgroup size
    public static final int COLS = 256;  // a multiple of 32 so the q4 layout applies
    public static final int SEED = 20261101;

    public final int rows, cols;
    public final float[] w;    // (rows, cols) f32 weights
    public final float[] x;    // (cols) input
    public final byte[] q4;    // (rows, cols) packed Q4 weights

    private int state;

    public DemoInputs(int rows, int cols, int seed) {
        if (cols % DType.GROUP != 0) throw new IllegalArgumentException("cols must be a multiple of 32, got " + cols);
        this.rows = rows;
        this.cols = cols;
        this.state = seed == 0 ? 1 : seed;
        w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = unit();
        x = new float[cols];
        for (int i = 0; i < x.length; i++) x[i] = unit();
        q4 = new byte[(int) DType.Q4.byteSize(rows, cols)];
        int quantBytes = rows * cols / 2; // a whole number of words: cols is a multiple of 32
        for (int p = 0; p < quantBytes; p += 4) putWord(q4, p, next());
        int scales = (int) DType.Q4.scaleOffset(rows, cols);
        int groups = rows * cols / DType.GROUP;
        for (int g = 0; g < groups; g++) {
            int h = Half.fromFloat((1 + (next() >>> 28)) / 64f); // exact: small integers over a power of two
            q4[scales + 2 * g] = (byte) h;
            q4[scales + 2 * g + 1] = (byte) (h >>> 8);
        }
    }

    public static DemoInputs standard() { return new DemoInputs(ROWS, COLS, SEED); }

    /** The q4 weights as f32, through core's dequantizer (what the CPU twin multiplies by). */
    public float[] q4AsFloats() { return Dequant.all(DType.Q4, q4, 0, rows, cols); }

    private int next() {
        int v = state;
        v ^= v << 13;
        v ^= v >>> 17;
        v ^= v << 5;
        state = v;
        return v;
    }

    private float unit() { return (next() >>> 8) * (1f / 8388608f) - 1f; }

    private static void putWord(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        b[p + 2] = (byte) (v >>> 16);
        b[p + 3] = (byte) (v >>> 24);
    }
}
