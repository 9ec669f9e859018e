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
 * SILU_MUL on Dawn/lavapipe against {@link Ops#siluMul}. Tolerance |Δ| ≤ 1e-5·|hb2| + 1e-6·|expected|:
 * WGSL's exp is accurate to 3 + 2|x| ulp (x up to 20 here: 43 ulp ≈ 2.6e-6 relative, damped by 1/(1 + e^−g)) and
 * the division to 2.5 ulp, against Java's correctly rounded Math.exp.
 */
class SiluMulKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) for (int n : new int[] {1, 172, 1000, 11008}) a.add(Arguments.of(p, n));
        return a.stream();
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("cases")
    void siluMulMatchesTheCpu(Precision p, int n) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        float[] hb = TestData.uniform(n, n, -20, 20);
        float[] hb2 = TestData.uniform(n + 1, n, -2, 2);
        float[] out = gpu.run(gpu.request().floats("hb", hb).floats("hb2", hb2)
                .kernel(Kernel.SILU_MUL, p, null, new Params.SiluMul(n), "hb", "hb2").read("hb")).floats("hb");
        float[] expected = hb.clone(), tol = new float[n];
        Ops.siluMul(expected, hb2, n);
        for (int i = 0; i < n; i++) tol[i] = 1e-5f * Math.abs(hb2[i]) + 1e-6f * Math.abs(expected[i]);
        TestData.assertClose(p + " n=" + n, expected, out, tol);
    }
}
