package dev.kiln.shaders;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.reference.Ops;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SOFTMAX on Dawn/lavapipe against {@link Ops#softmax}, row by row, with logits up to ±1000 (a kernel that does not
 * subtract the maximum overflows to NaN/∞ there). Tolerance |Δ| ≤ (1e-5 + 4·√cols·2⁻²⁴)·p + 1e-9: WGSL's exp is
 * within 3 + 2|x| ulp (x = value − max; the large |x| give tiny p where the absolute term rules), and the CPU's
 * sequential f32 sum drifts like a random walk of √cols roundings (4σ; the GPU's tree sum is more accurate —
 * at 32000 columns the CPU is the one that is off by ~2e-5 relative).
 */
class SoftmaxKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) {
            for (int[] s : new int[][] {{1, 1}, {3, 33}, {2, 1000}, {1, 32000}}) a.add(Arguments.of(p, s[0], s[1], 10f));
            a.add(Arguments.of(p, 2, 257, 1000f));
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2} range ±{3}")
    @MethodSource("cases")
    void softmaxOfEveryRowMatchesTheCpu(Precision p, int rows, int cols, float range) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        float[] x = TestData.uniform(rows * 7L + cols, rows * cols, -range, range);
        float[] out = gpu.run(gpu.request().floats("x", x)
                .kernel(Kernel.SOFTMAX, p, null, new Params.Softmax(rows, cols), "x").read("x")).floats("x");
        float[] expected = x.clone(), tol = new float[x.length];
        for (int r = 0; r < rows; r++) Ops.softmax(expected, r * cols, cols);
        for (int i = 0; i < x.length; i++) tol[i] = (float) ((1e-5 + 4 * Math.sqrt(cols) * 0x1p-24) * expected[i] + 1e-9);
        TestData.assertClose(p + " " + rows + "x" + cols, expected, out, tol);
    }
}
