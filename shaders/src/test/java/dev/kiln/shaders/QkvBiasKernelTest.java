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
 * QKV_BIAS on Dawn/lavapipe against {@link Ops#addBias} on q, k and v: one f32 addition each, so the results are
 * bit-identical (tolerance 0). Sizes straddle the workgroup boundaries between q, k and v.
 */
class QkvBiasKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) {
            a.add(Arguments.of(p, 1, 1));
            a.add(Arguments.of(p, 64, 16));
            a.add(Arguments.of(p, 896, 128));   // Qwen2.5-0.5B
            a.add(Arguments.of(p, 100, 37));
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} qDim {1} kvDim {2}")
    @MethodSource("cases")
    void theThreeBiasesAreAddedToTheirOwnVectors(Precision p, int qDim, int kvDim) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        float[] q = TestData.uniform(qDim, qDim, -2, 2), k = TestData.uniform(kvDim, kvDim, -2, 2), v = TestData.uniform(kvDim + 1, kvDim, -2, 2);
        float[] bq = TestData.uniform(7, qDim, -1, 1), bk = TestData.uniform(8, kvDim, -1, 1), bv = TestData.uniform(9, kvDim, -1, 1);
        NodeGpu.Result r = gpu.run(gpu.request().floats("q", q).floats("k", k).floats("v", v)
                .floats("bq", bq).floats("bk", bk).floats("bv", bv)
                .kernel(Kernel.QKV_BIAS, p, null, new Params.QkvBias(qDim, kvDim), "q", "k", "v", "bq", "bk", "bv")
                .read("q", "k", "v"));
        Ops.addBias(q, bq, qDim);
        Ops.addBias(k, bk, kvDim);
        Ops.addBias(v, bv, kvDim);
        TestData.assertClose(p + " q", q, r.floats("q"), 0);
        TestData.assertClose(p + " k", k, r.floats("k"), 0);
        TestData.assertClose(p + " v", v, r.floats("v"), 0);
    }

    /** A prefill block: every row of q, k and v gets the same bias vector. */
    @org.junit.jupiter.api.Test
    void everyRowOfABlockGetsTheBiases() {
        int qDim = 100, kvDim = 37, rows = 3;
        float[] q = TestData.uniform(1, rows * qDim, -2, 2), k = TestData.uniform(2, rows * kvDim, -2, 2), v = TestData.uniform(3, rows * kvDim, -2, 2);
        float[] bq = TestData.uniform(7, qDim, -1, 1), bk = TestData.uniform(8, kvDim, -1, 1), bv = TestData.uniform(9, kvDim, -1, 1);
        NodeGpu.Result r = gpu.run(gpu.request().floats("q", q).floats("k", k).floats("v", v)
                .floats("bq", bq).floats("bk", bk).floats("bv", bv)
                .kernel(Kernel.QKV_BIAS, Precision.F32, null, new Params.QkvBias(qDim, kvDim, rows), "q", "k", "v", "bq", "bk", "bv")
                .read("q", "k", "v"));
        for (int i = 0; i < rows * qDim; i++) q[i] += bq[i % qDim];
        for (int i = 0; i < rows * kvDim; i++) { k[i] += bk[i % kvDim]; v[i] += bv[i % kvDim]; }
        TestData.assertClose("q rows", q, r.floats("q"), 0);
        TestData.assertClose("k rows", k, r.floats("k"), 0);
        TestData.assertClose("v rows", v, r.floats("v"), 0);
    }
}
