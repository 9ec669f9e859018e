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
 * CAUSAL_ATTENTION on Dawn/lavapipe against {@link Ops#causalAttention}: each row of a block attends to the cache up
 * to its own position. The cache holds values an f16 cache stores exactly, so both sides read the same numbers. The
 * GPU's online softmax rescales partial sums chunk by chunk where the CPU normalizes once: a few more roundings
 * per chunk of 64 positions, so the tolerance is {@link AttentionKernelTest}'s, 2e-5 + 4·√(pos+1)·2⁻²⁴, doubled.
 * Rows at or past {@code Step.rows} write nothing. A row attending one position too far (or too short), the wrong KV
 * head or layer fails by O(1).
 */
class CausalAttentionKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    /** {heads, kvHeads, headSize, first position, grid rows, live rows}. */
    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        int[][] shapes = {{8, 4, 8, 0, 16, 15}, {14, 2, 64, 0, 64, 64}, {4, 1, 64, 100, 8, 3}, {2, 2, 256, 33, 4, 4},
                {3, 3, 6, 1000, 5, 5}, {4, 2, 128, 130, 64, 1}};
        for (Precision p : Precision.values()) for (int[] s : shapes) a.add(Arguments.of(p, s[0], s[1], s[2], s[3], s[4], s[5]));
        return a.stream();
    }

    @ParameterizedTest(name = "{0} heads {1}/{2} hs {3} from {4}, rows {5} (live {6})")
    @MethodSource("cases")
    void everyRowAttendsUpToItsOwnPosition(Precision p, int heads, int kvHeads, int hs, int pos, int rows, int live) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        int kvDim = kvHeads * hs, qDim = heads * hs, context = pos + rows + 3, layers = 2, layer = 1;
        int layerOffset = layer * context * kvDim;
        float scoreScale = (float) Math.sqrt(hs);
        float[] q = TestData.uniform(pos + 5, rows * qDim, -scoreScale / 4, scoreScale / 4);
        float[] kAll = TestData.roundToHalf(TestData.uniform(pos + 6, layers * context * kvDim, -1, 1));
        float[] vAll = TestData.roundToHalf(TestData.uniform(pos + 7, layers * context * kvDim, -1, 1));

        float[] out = gpu.run(gpu.request().floats("q", q).bytes("kCache", TestData.kvBytes(p, kAll))
                .bytes("vCache", TestData.kvBytes(p, vAll)).zeros("out", 4L * rows * qDim)
                .bytes("step", StepUniform.block(pos, live))
                .kernel(Kernel.CAUSAL_ATTENTION, p, null, new Params.CausalAttention(rows, heads, kvHeads, hs, layerOffset),
                        "q", "kCache", "vCache", "out", "step")
                .read("out")).floats("out");

        float[] kLayer = java.util.Arrays.copyOfRange(kAll, layerOffset, layerOffset + context * kvDim);
        float[] vLayer = java.util.Arrays.copyOfRange(vAll, layerOffset, layerOffset + context * kvDim);
        float[] expected = new float[rows * qDim];
        Ops.causalAttention(expected, q, kLayer, vLayer, pos, live, heads, kvHeads, hs);
        float[] tol = new float[rows * qDim];
        for (int r = 0; r < live; r++) {
            for (int i = 0; i < qDim; i++) tol[r * qDim + i] = (float) (2 * (2e-5 + 4 * Math.sqrt(pos + r + 1) * 0x1p-24));
        }
        TestData.assertClose(p + " from " + pos, expected, out, tol);
    }
}
