package dev.kiln.shaders;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.model.DType;
import dev.kiln.quant.Dequant;
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
 * MAT_MUL on Dawn/lavapipe against {@link Ops#matMul} over the dequantized weights, for every weight dtype and both
 * precisions. Tolerance as {@link MatVecKernelTest}'s: the same f32 products, only the summation order may differ,
 * so each output allows 2·cols·2⁻²⁴·Σ_c|W[o,c]·X[r,c]| (+ one ulp for the residual add). A wrong row, tile edge,
 * nibble or scale costs O(|w·x|). Rows at or past {@code Step.rows} must keep what they held.
 */
class MatMulKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    /**
     * {rows, live rows, n, cols}: tile edges on every side (64 outputs × 64 rows, 16 columns a step, 4 rows an
     * invocation), one row, a partial last block, a second row tile, live rows ending inside an invocation's 4.
     */
    static Stream<Arguments> shapes() {
        List<Arguments> a = new ArrayList<>();
        int[][] grouped = {{1, 1, 1, 32}, {64, 64, 96, 64}, {33, 33, 65, 96}, {64, 5, 130, 256}, {7, 7, 200, 4096},
                           {128, 101, 64, 160}};
        int[][] any = {{1, 1, 1, 1}, {3, 3, 33, 172}, {40, 37, 7, 1000}, {64, 64, 64, 3}, {70, 70, 129, 77}, {65, 62, 17, 24}};
        for (Precision p : Precision.values()) {
            for (DType t : DType.values()) {
                for (int[] s : grouped) a.add(Arguments.of(p, t, s[0], s[1], s[2], s[3]));
                if (!t.quantized()) for (int[] s : any) a.add(Arguments.of(p, t, s[0], s[1], s[2], s[3]));
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1} rows {2} (live {3}) n {4} cols {5}")
    @MethodSource("shapes")
    void matMulMatchesTheCpuOverTheDequantizedWeightsAndLeavesDeadRowsAlone(Precision p, DType t, int rows, int live,
                                                                             int n, int cols) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        float[] w = TestData.uniform(n * 31L + cols, n * cols, -1, 1);
        float[] x = TestData.uniform(cols + rows, rows * cols, -1, 1);
        float[] y0 = TestData.uniform(rows + 3, rows * n, -10, 10);
        byte[] packed = TestData.pack(t, w, n, cols);
        boolean accumulate = (rows + n) % 2 == 1;

        float[] y = gpu.run(gpu.request().bytes("w", packed).floats("x", x).floats("y", y0)
                .bytes("step", StepUniform.block(0, live))
                .kernel(Kernel.MAT_MUL, p, t, Params.MatMul.of(t, rows, n, cols, accumulate), "w", "x", "y", "step")
                .read("y")).floats("y");

        float[] wq = Dequant.all(t, packed, 0, n, cols);
        float[] expected = y0.clone();
        Ops.matMul(expected, wq, x, live, n, cols, accumulate);
        float[] tol = new float[rows * n];
        for (int r = 0; r < live; r++) {
            float[] xr = java.util.Arrays.copyOfRange(x, r * cols, (r + 1) * cols);
            float[] rowTol = MatVecKernelTest.tolerance(wq, xr, n, cols);
            for (int o = 0; o < n; o++) tol[r * n + o] = rowTol[o] + (accumulate ? Math.ulp(Math.abs(expected[r * n + o])) : 0);
        }
        TestData.assertClose(p + " " + t + " " + rows + "/" + live + "x" + n + "x" + cols, expected, y, tol);
    }

    /** The SwiGLU gate fused into w3 over a block: Y = silu(Y)·(W·X), as Ops.siluMul per row; dead rows kept. */
    @Test
    void gateMultipliesEachRowsProductBySiluOfWhatYHolds() {
        int rows = 40, live = 37, n = 70, cols = 96;
        DType t = DType.Q4;
        float[] w = TestData.uniform(31, n * cols, -1, 1);
        float[] x = TestData.uniform(32, rows * cols, -1, 1);
        float[] g = TestData.uniform(33, rows * n, -6, 6);
        byte[] packed = TestData.pack(t, w, n, cols);
        float[] y = gpu.run(gpu.request().bytes("w", packed).floats("x", x).floats("y", g)
                .bytes("step", StepUniform.block(3, live))
                .kernel(Kernel.MAT_MUL, Precision.F32, t, Params.MatMul.gated(t, rows, n, cols), "w", "x", "y", "step")
                .read("y")).floats("y");
        float[] wq = Dequant.all(t, packed, 0, n, cols);
        float[] up = new float[rows * n];
        Ops.matMul(up, wq, x, live, n, cols, false);
        float[] expected = g.clone(), tol = new float[rows * n];
        Ops.siluMul(expected, up, live * n);
        for (int r = 0; r < live; r++) {
            float[] rowTol = MatVecKernelTest.tolerance(wq, java.util.Arrays.copyOfRange(x, r * cols, (r + 1) * cols), n, cols);
            for (int o = 0; o < n; o++) {
                int i = r * n + o;
                tol[i] = rowTol[o] * Math.max(1f, Math.abs(Ops.silu(g[i]))) + 4 * Math.ulp(Math.abs(expected[i]));
            }
        }
        TestData.assertClose("Y = silu(Y)·W·X, 37 of 40 rows", expected, y, tol);
    }

    @Test
    void oneRowGivesWhatMatVecGives() {
        int n = 100, cols = 256;
        float[] w = TestData.uniform(9, n * cols, -1, 1);
        float[] x = TestData.uniform(10, cols, -1, 1);
        byte[] packed = TestData.pack(DType.Q4, w, n, cols);
        NodeGpu.Result r = gpu.run(gpu.request().bytes("w", packed).floats("x", x).zeros("y", 4L * n).zeros("yv", 4L * n)
                .bytes("step", StepUniform.block(11, 1))
                .kernel(Kernel.MAT_MUL, Precision.F32, DType.Q4, Params.MatMul.of(DType.Q4, 64, n, cols, false), "w", "x", "y", "step")
                .kernel(Kernel.MAT_VEC, Precision.F32, DType.Q4, Params.MatVec.of(DType.Q4, n, cols, false), "w", "x", "x", "yv")
                .read("y").read("yv"));
        float[] wq = Dequant.all(DType.Q4, packed, 0, n, cols);
        TestData.assertClose("MAT_MUL row vs MAT_VEC", r.floats("yv"), r.floats("y"), MatVecKernelTest.tolerance(wq, x, n, cols));
    }
}
