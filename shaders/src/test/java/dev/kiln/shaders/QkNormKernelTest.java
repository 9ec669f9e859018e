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
 * QK_NORM on Dawn/lavapipe against {@link Ops#headRmsNorm} on q and on k. Tolerance 1e-5 relative + 1e-7, as for
 * RMS_NORM (a sum of headSize squares in another order, inverseSqrt within 2 ulp). Head sizes below, at and above
 * the workgroup size; a norm over the whole tensor instead of per head, or the q weight on k, is far outside.
 */
class QkNormKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) {
            a.add(Arguments.of(p, 4, 2, 8));
            a.add(Arguments.of(p, 16, 8, 128));   // Qwen3-0.6B's heads
            a.add(Arguments.of(p, 3, 1, 66));     // not a multiple of the workgroup size
            a.add(Arguments.of(p, 1, 1, 2));
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} heads {1}/{2} hs {3}")
    @MethodSource("cases")
    void eachHeadOfQAndKIsNormedWithItsOwnWeight(Precision p, int heads, int kvHeads, int hs) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        float eps = 1e-6f;
        float[] q = TestData.uniform(hs, heads * hs, -3, 3), k = TestData.uniform(hs + 1, kvHeads * hs, -5, 5);
        float[] qw = TestData.uniform(hs + 2, hs, 0.5f, 1.5f), kw = TestData.uniform(hs + 3, hs, -1.5f, 1.5f);
        NodeGpu.Result r = gpu.run(gpu.request().floats("q", q).floats("k", k).floats("qNorm", qw).floats("kNorm", kw)
                .kernel(Kernel.QK_NORM, p, null, new Params.QkNorm(heads, kvHeads, hs, eps), "q", "k", "qNorm", "kNorm")
                .read("q", "k"));
        float[] qRef = q.clone(), kRef = k.clone();
        Ops.headRmsNorm(qRef, heads, hs, qw, eps);
        Ops.headRmsNorm(kRef, kvHeads, hs, kw, eps);
        TestData.assertClose(p + " q", qRef, r.floats("q"), tolerance(qRef));
        TestData.assertClose(p + " k", kRef, r.floats("k"), tolerance(kRef));
    }

    private static float[] tolerance(float[] expected) {
        float[] tol = new float[expected.length];
        for (int i = 0; i < tol.length; i++) tol[i] = 1e-5f * Math.abs(expected[i]) + 1e-7f;
        return tol;
    }
}
