package dev.kiln.shaders;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * RMS_NORM on Dawn/lavapipe against {@link Ops#rmsNorm}.
 *
 * <p>Tolerance 1e-5 relative (|Δ| ≤ 1e-5·|expected| + 1e-7): the mean square differs only by summation order
 * (≤ n·2⁻²⁴ relative, 2.4e-4 for n = 4096 worst case, far less in practice for positive terms: the error of a sum of
 * non-negative terms is bounded by n·u relative and typically √n·u) and WGSL's inverseSqrt is within 2 ulp;
 * its square root halves the relative error. A missing eps, a wrong n or a dropped element is far outside.
 */
class RmsNormKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) for (int n : new int[] {1, 64, 172, 255, 1000, 4096}) a.add(Arguments.of(p, n));
        return a.stream();
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("cases")
    void rmsNormMatchesTheCpu(Precision p, int n) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        check(p, TestData.uniform(n, n, -3, 3), TestData.uniform(n + 1, n, 0.5f, 1.5f), 1e-5f);
    }

    @Test
    void epsDominatesATinyInput() {
        int n = 100;
        float[] x = TestData.uniform(9, n, -1e-4f, 1e-4f); // mean square ~3e-9 ≪ eps
        check(Precision.F32, x, TestData.uniform(10, n, 0.5f, 1.5f), 1e-5f);
    }

    /** A prefill block: every row normed on its own, one workgroup each (3 rows of an odd width). */
    @Test
    void eachRowOfABlockIsNormedOnItsOwn() {
        int n = 172, rows = 3;
        float[] x = TestData.uniform(11, rows * n, -3, 3), w = TestData.uniform(12, n, 0.5f, 1.5f);
        for (int i = 0; i < n; i++) x[2 * n + i] *= 100; // a row of another scale: no mean across rows
        float[] out = gpu.run(gpu.request().floats("x", x).floats("w", w).zeros("out", 4L * rows * n)
                .kernel(Kernel.RMS_NORM, Precision.F32, null, new Params.RmsNorm(n, 1e-5f, rows), "x", "w", "out")
                .read("out")).floats("out");
        float[] expected = new float[rows * n], tol = new float[rows * n], row = new float[n], xr = new float[n];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, r * n, xr, 0, n);
            Ops.rmsNorm(row, xr, w, n, 1e-5f);
            System.arraycopy(row, 0, expected, r * n, n);
        }
        for (int i = 0; i < rows * n; i++) tol[i] = 1e-5f * Math.abs(expected[i]) + 1e-7f;
        TestData.assertClose("3 rows", expected, out, tol);
    }

    private static void check(Precision p, float[] x, float[] w, float eps) {
        int n = x.length;
        float[] out = gpu.run(gpu.request().floats("x", x).floats("w", w).zeros("out", 4L * n)
                .kernel(Kernel.RMS_NORM, p, null, new Params.RmsNorm(n, eps), "x", "w", "out").read("out")).floats("out");
        float[] expected = new float[n], tol = new float[n];
        Ops.rmsNorm(expected, x, w, n, eps);
        for (int i = 0; i < n; i++) tol[i] = 1e-5f * Math.abs(expected[i]) + 1e-7f;
        TestData.assertClose(p + " n=" + n, expected, out, tol);
    }
}
