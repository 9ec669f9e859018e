package dev.kiln.shaders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.model.DType;
import dev.kiln.quant.Dequant;
import dev.kiln.quant.Half;
import dev.kiln.reference.Ops;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MAT_VEC on Dawn/lavapipe against {@link Ops#matVec} over the dequantized weights ({@link Dequant}), in every mode:
 * alone, accumulating, gated, the SwiGLU pair from one range, and with RMSNorm folded in ({@link Ops#rmsNorm} first).
 *
 * <p>Tolerance: both sides multiply the same f32 values (the weight prelude dequantizes exactly as core does: f16 and
 * f16·int are exact in f32) and differ only in summation order. A sum of n products carries at most (n−1)·2⁻²⁴ ·
 * Σ|w·x| rounding error in any order, so each row allows 2·n·2⁻²⁴ · Σ_c |W[r,c]·x[c]| (both sides' error) plus
 * 1e-30. A wrong nibble, scale or column costs O(|w·x|) and fails this.
 */
class MatVecKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    /** rows × cols; quantized formats need cols % 32 == 0, f32/f16 also get odd shapes. */
    static Stream<Arguments> shapes() {
        List<Arguments> a = new ArrayList<>();
        int[][] any = {{1, 1}, {33, 172}, {7, 1000}, {64, 3}, {1000, 33}};
        int[][] grouped = {{1, 32}, {172, 64}, {33, 96}, {1000, 256}, {5, 4096}};
        for (Precision p : Precision.values()) {
            for (DType t : DType.values()) {
                for (int[] s : grouped) a.add(Arguments.of(p, t, s[0], s[1]));
                if (!t.quantized()) for (int[] s : any) a.add(Arguments.of(p, t, s[0], s[1]));
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}x{3}")
    @MethodSource("shapes")
    void matVecMatchesTheCpuOverTheDequantizedWeights(Precision p, DType t, int rows, int cols) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        float[] w = TestData.uniform(rows * 31L + cols, rows * cols, -1, 1);
        float[] x = TestData.uniform(cols, cols, -1, 1);
        byte[] packed = TestData.pack(t, w, rows, cols);

        float[] y = gpu.run(gpu.request().bytes("w", packed).floats("x", TestData.padded(x)).zeros("y", 4L * rows)
                .kernel(Kernel.MAT_VEC, p, t, Params.MatVec.of(t, rows, cols, false), "w", "x", "x", "y")
                .read("y")).floats("y");

        float[] wq = Dequant.all(t, packed, 0, rows, cols);
        float[] expected = new float[rows];
        Ops.matVec(expected, wq, x, rows, cols);
        TestData.assertClose(p + " " + t + " " + rows + "x" + cols, expected, y, tolerance(wq, x, rows, cols));
    }

    @Test
    void accumulateAddsTheProductToWhatYHolds() {
        int rows = 100, cols = 172;
        float[] w = TestData.uniform(1, rows * cols, -1, 1);
        float[] x = TestData.uniform(2, cols, -1, 1);
        float[] y0 = TestData.uniform(3, rows, -10, 10);
        float[] y = gpu.run(gpu.request().bytes("w", TestData.pack(DType.F16, w, rows, cols)).floats("x", TestData.padded(x)).floats("y", y0)
                .kernel(Kernel.MAT_VEC, Precision.F32, DType.F16, Params.MatVec.of(DType.F16, rows, cols, true), "w", "x", "x", "y")
                .read("y")).floats("y");
        float[] wq = TestData.roundToHalf(w);
        float[] expected = new float[rows];
        Ops.matVec(expected, wq, x, rows, cols);
        float[] tol = tolerance(wq, x, rows, cols);
        for (int r = 0; r < rows; r++) {
            expected[r] += y0[r];
            tol[r] += Math.ulp(Math.abs(expected[r])); // the one extra addition
        }
        TestData.assertClose("y += W·x", expected, y, tol);
    }

    /** The SwiGLU gate fused into the up projection: y = silu(g)·(W·x) with the gate g in y, as Ops.siluMul. */
    @Test
    void gateMultipliesTheProductBySiluOfWhatYHolds() {
        int rows = 100, cols = 256;
        float[] w = TestData.uniform(21, rows * cols, -1, 1);
        float[] x = TestData.uniform(22, cols, -1, 1);
        float[] g = TestData.uniform(23, rows, -6, 6);
        byte[] packed = TestData.pack(DType.Q8, w, rows, cols);
        float[] y = gpu.run(gpu.request().bytes("w", packed).floats("x", TestData.padded(x)).floats("y", g)
                .kernel(Kernel.MAT_VEC, Precision.F32, DType.Q8, Params.MatVec.gated(DType.Q8, rows, cols), "w", "x", "x", "y")
                .read("y")).floats("y");
        float[] wq = Dequant.all(DType.Q8, packed, 0, rows, cols);
        float[] up = new float[rows];
        Ops.matVec(up, wq, x, rows, cols);
        float[] expected = g.clone(), tol = tolerance(wq, x, rows, cols);
        Ops.siluMul(expected, up, rows);
        for (int r = 0; r < rows; r++) tol[r] = tol[r] * Math.max(1f, Math.abs(Ops.silu(g[r]))) + 4 * Math.ulp(Math.abs(expected[r]));
        TestData.assertClose("y = silu(y)·W·x", expected, y, tol);
    }

    /**
     * Any number of teams of rows per workgroup computes every row once, whatever teams the device's subgroups make
     * (mat_vec_team_subgroups.wgsl loops over its teams, so fewer subgroups than teams, or more, only change who
     * computes a row): 1, 3 and 16 teams, a plain product and the normed SwiGLU pair, 203 rows (a multiple of
     * nothing). A team's summation order does not depend on the team count, so every count gives the same bits; one
     * team is checked against the CPU.
     */
    @Test
    void everyTeamCountComputesEveryRow() throws Exception {
        int rows = 203, cols = 160;
        float eps = 1e-5f;
        float[] w1 = TestData.uniform(31, rows * cols, -1, 1), w3 = TestData.uniform(34, rows * cols, -1, 1);
        float[] x = TestData.uniform(32, cols, -1, 1);
        float[] g = TestData.uniform(33, cols, 0.5f, 1.5f);
        byte[] p1 = TestData.pack(DType.Q4, w1, rows, cols), p3 = TestData.pack(DType.Q4, w3, rows, cols);
        java.io.ByteArrayOutputStream range = new java.io.ByteArrayOutputStream();
        range.write(p1);
        while (range.size() % 256 != 0) range.write(0x5a);
        int w3Word = range.size() / 4;
        range.write(p3);

        float[] plainOne = null, pairOne = null;
        for (int teams : new int[] {1, 3, 16}) {
            float[] plain = gpu.run(gpu.request().bytes("w", p1).floats("x", TestData.padded(x)).zeros("y", 4L * rows)
                    .kernel(Kernel.MAT_VEC, Precision.F32, DType.Q4,
                            Params.MatVec.of(DType.Q4, rows, cols, false).withTeams(teams), "w", "x", "x", "y")
                    .read("y")).floats("y");
            float[] pair = gpu.run(gpu.request().bytes("w", range.toByteArray()).floats("x", TestData.padded(x))
                    .floats("g", TestData.padded(g)).zeros("y", 4L * rows)
                    .kernel(Kernel.MAT_VEC, Precision.F32, DType.Q4,
                            Params.MatVec.pair(DType.Q4, rows, cols, 0, w3Word, true, eps).withTeams(teams), "w", "x", "g", "y")
                    .read("y")).floats("y");
            if (teams == 1) {
                plainOne = plain;
                pairOne = pair;
            } else {
                assertEquals(java.util.Arrays.toString(plainOne), java.util.Arrays.toString(plain), teams + " teams: W·x");
                assertEquals(java.util.Arrays.toString(pairOne), java.util.Arrays.toString(pair), teams + " teams: the pair");
            }
        }
        float[] q1 = Dequant.all(DType.Q4, p1, 0, rows, cols), q3 = Dequant.all(DType.Q4, p3, 0, rows, cols);
        float[] expected = new float[rows];
        Ops.matVec(expected, q1, x, rows, cols);
        TestData.assertClose("1 team, y = W·x", expected, plainOne, tolerance(q1, x, rows, cols));
        float[][] swiglu = swiGlu(q1, q3, x, g, eps, rows, cols);
        TestData.assertClose("1 team, the normed pair", swiglu[0], pairOne, swiglu[1]);
    }

    @Test
    void moreThan65535RowsSpreadOverYAndEveryRowIsWritten() {
        int rows = 262_147, cols = 8; // past 4·65535 rows (four per workgroup): 2 workgroup rows in y
        float[] w = TestData.uniform(4, rows * cols, -1, 1);
        float[] x = TestData.uniform(5, cols, -1, 1);
        Params.MatVec params = Params.MatVec.of(DType.F32, rows, cols, false);
        assertEquals(2, params.workgroups()[1], "262147 rows need 65537 workgroups: 2 rows of at most 65535");
        float[] y = gpu.run(gpu.request().bytes("w", TestData.pack(DType.F32, w, rows, cols)).floats("x", TestData.padded(x))
                .zeros("y", 4L * rows).kernel(Kernel.MAT_VEC, Precision.F32, DType.F32, params, "w", "x", "x", "y")
                .read("y")).floats("y");
        float[] expected = new float[rows];
        Ops.matVec(expected, w, x, rows, cols);
        TestData.assertClose("262147 rows", expected, y, tolerance(w, x, rows, cols));
    }

    /**
     * A 120 MiB f16 weight binding, near the 128 MiB maxStorageBufferBindingSize many devices have. The weights are
     * generated in Node from a hash ({@link NodeGpu#fillWord}) so they never cross the pipe; every half is ±[0.5, 1).
     */
    @Test
    void aWeightBindingOf120MiBWorks() {
        long limit = gpu.limit("maxStorageBufferBindingSize");
        int cols = 1024, rows = 61_440; // 62,914,560 halves = 120 MiB
        long bytes = DType.F16.byteSize(rows, cols);
        assertEquals(120L << 20, bytes);
        assumeTrue(bytes <= limit, "the adapter's storage binding limit is " + limit + " bytes");
        int seed = 7, and = 0x83ff83ff, or = 0x38003800; // sign + mantissa from the hash, exponent 14: ±[0.5, 1)
        float[] x = TestData.uniform(6, cols, -1, 1);

        NodeGpu.Result r = gpu.run(gpu.request().fill("w", bytes, seed, and, or).floats("x", TestData.padded(x)).zeros("y", 4L * rows)
                .kernel(Kernel.MAT_VEC, Precision.F32, DType.F16, Params.MatVec.of(DType.F16, rows, cols, false), "w", "x", "x", "y")
                .read("y"));
        float[] y = r.floats("y");

        float[] expected = new float[rows], tol = new float[rows], row = new float[cols];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < cols; c += 2) {
                int word = NodeGpu.fillWord((i * cols + c) / 2, seed, and, or);
                row[c] = Half.toFloat(word & 0xffff);
                row[c + 1] = Half.toFloat(word >>> 16);
            }
            float sum = 0, abs = 0;
            for (int c = 0; c < cols; c++) { sum += row[c] * x[c]; abs += Math.abs(row[c] * x[c]); }
            expected[i] = sum;
            tol[i] = (float) (2.0 * cols * 0x1p-24 * abs + 1e-30);
        }
        TestData.assertClose("120 MiB f16", expected, y, tol);
    }

    /**
     * RMSNorm folded in: y = W·(rmsNorm(x)·g) against Ops.rmsNorm then Ops.matVec. The kernel applies the norm's
     * scale s to the finished sum instead of to each x: besides the summation-order bound (over the normed x) that
     * adds the rounding of s (a few ulp, relative) and of x·g, so the tolerance gains 8·2⁻²⁴·Σ|W·x̂|.
     */
    @ParameterizedTest(name = "{0} {1} {2}x{3}")
    @MethodSource("normShapes")
    void theNormFoldedInMatchesRmsNormThenMatVec(Precision p, DType t, int rows, int cols) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        float[] w = TestData.uniform(rows * 7L + cols, rows * cols, -1, 1);
        float[] x = TestData.uniform(cols + 1, cols, -3, 3);
        float[] g = TestData.uniform(cols + 2, cols, 0.5f, 1.5f);
        float eps = 1e-5f;
        byte[] packed = TestData.pack(t, w, rows, cols);
        float[] y = gpu.run(gpu.request().bytes("w", packed).floats("x", TestData.padded(x)).floats("g", TestData.padded(g))
                .zeros("y", 4L * rows).kernel(Kernel.MAT_VEC, p, t, Params.MatVec.normed(t, rows, cols, eps), "w", "x", "g", "y")
                .read("y")).floats("y");
        float[] wq = Dequant.all(t, packed, 0, rows, cols);
        float[] xb = new float[cols], expected = new float[rows];
        Ops.rmsNorm(xb, x, g, cols, eps);
        Ops.matVec(expected, wq, xb, rows, cols);
        TestData.assertClose(p + " " + t + " normed " + rows + "x" + cols, expected, y, normTolerance(wq, xb, rows, cols));
    }

    static Stream<Arguments> normShapes() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) {
            for (DType t : DType.values()) {
                a.add(Arguments.of(p, t, 151, 896));
                a.add(Arguments.of(p, t, 4, 64));
                if (!t.quantized()) a.add(Arguments.of(p, t, 6, 20)); // a 4-element tail past the 16-wide chunks
            }
        }
        return a.stream();
    }

    /**
     * The SwiGLU pair: w1 and w3 packed one after another (256-byte aligned, as a shard holds them) and bound as one
     * range, y = silu(w1·x̂)·(w3·x̂) with the norm folded in, against rmsNorm, two mat-vecs and Ops.siluMul.
     */
    @ParameterizedTest(name = "{0} {1} {2}x{3}")
    @MethodSource("pairShapes")
    void theSwiGluPairMatchesTwoMatVecsAndSiluMul(Precision p, DType t, int rows, int cols) throws Exception {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        float[] w1 = TestData.uniform(rows + 11L * cols, rows * cols, -1, 1);
        float[] w3 = TestData.uniform(rows + 13L * cols, rows * cols, -1, 1);
        float[] x = TestData.uniform(cols + 3, cols, -3, 3);
        float[] g = TestData.uniform(cols + 4, cols, 0.5f, 1.5f);
        float eps = 1e-6f;
        java.io.ByteArrayOutputStream range = new java.io.ByteArrayOutputStream();
        // w3 first: the kernel takes each tensor's own start, whatever the order
        byte[] p3 = TestData.pack(t, w3, rows, cols), p1 = TestData.pack(t, w1, rows, cols);
        range.write(p3);
        while (range.size() % 256 != 0) range.write(0x5a);
        int w1Word = range.size() / 4;
        range.write(p1);
        float[] y = gpu.run(gpu.request().bytes("w", range.toByteArray()).floats("x", TestData.padded(x))
                .floats("g", TestData.padded(g)).zeros("y", 4L * rows)
                .kernel(Kernel.MAT_VEC, p, t, Params.MatVec.pair(t, rows, cols, w1Word, 0, true, eps), "w", "x", "g", "y")
                .read("y")).floats("y");
        float[] q1 = Dequant.all(t, p1, 0, rows, cols), q3 = Dequant.all(t, p3, 0, rows, cols);
        float[][] expected = swiGlu(q1, q3, x, g, eps, rows, cols);
        TestData.assertClose(p + " " + t + " pair " + rows + "x" + cols, expected[0], y, expected[1]);
    }

    /**
     * The CPU twin of the normed SwiGLU pair, silu(w1·x̂)·(w3·x̂) with x̂ = rmsNorm(x)·g, and its tolerance:
     * |d(silu(a)·b)| ≤ |silu'(a)|·|b|·da + |silu(a)|·db with silu' ≤ 1.1 and da, db from {@link #normTolerance}.
     * Returns {expected, tolerance}.
     */
    static float[][] swiGlu(float[] w1, float[] w3, float[] x, float[] g, float eps, int rows, int cols) {
        float[] xb = new float[cols], gate = new float[rows], up = new float[rows];
        Ops.rmsNorm(xb, x, g, cols, eps);
        Ops.matVec(gate, w1, xb, rows, cols);
        Ops.matVec(up, w3, xb, rows, cols);
        float[] expected = gate.clone();
        Ops.siluMul(expected, up, rows);
        float[] tg = normTolerance(w1, xb, rows, cols), tu = normTolerance(w3, xb, rows, cols), tol = new float[rows];
        for (int r = 0; r < rows; r++) {
            tol[r] = (float) (1.1 * Math.abs(up[r]) * tg[r] + Math.abs(Ops.silu(gate[r])) * tu[r]) + 4 * Math.ulp(Math.abs(expected[r]));
        }
        return new float[][] {expected, tol};
    }

    static Stream<Arguments> pairShapes() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) {
            for (DType t : DType.values()) {
                a.add(Arguments.of(p, t, 97, 256)); // an odd row count: the last workgroup has one output
                a.add(Arguments.of(p, t, 1, 32));
            }
        }
        return a.stream();
    }

    /** {@link #tolerance} plus 8·2⁻²⁴·Σ|W·x̂| for the norm's scale applied after the sum (see the norm test). */
    static float[] normTolerance(float[] w, float[] xb, int rows, int cols) {
        float[] tol = tolerance(w, xb, rows, cols);
        for (int r = 0; r < rows; r++) {
            double abs = 0;
            for (int c = 0; c < cols; c++) abs += Math.abs((double) w[r * cols + c] * xb[c]);
            tol[r] += (float) (8 * 0x1p-24 * abs);
        }
        return tol;
    }

    /** 2·cols·2⁻²⁴·Σ_c |W[r,c]·x[c]|: the summation-order bound (see the class comment). */
    static float[] tolerance(float[] w, float[] x, int rows, int cols) {
        float[] tol = new float[rows];
        for (int r = 0; r < rows; r++) {
            double abs = 0;
            for (int c = 0; c < cols; c++) abs += Math.abs((double) w[r * cols + c] * x[c]);
            tol[r] = (float) (2.0 * cols * 0x1p-24 * abs + 1e-30);
        }
        return tol;
    }
}
