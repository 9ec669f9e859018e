package dev.kiln.shaders;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.model.RopeStyle;
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
 * ATTENTION on Dawn/lavapipe against {@link Ops#attention}. The cache is filled with values an f16 cache can hold
 * exactly on F16 (rounded first), so both sides read the same numbers and differ only by f32 arithmetic:
 * scores (hs products), exp (3 + 2|x| ulp), a tree vs a sequential sum of pos + 1 weights. Tolerance
 * |Δ| ≤ 2e-5 + 4·√(pos+1)·2⁻²⁴ (outputs are weighted means of values in [−1, 1]). Reading the wrong KV head,
 * position or layer, or skipping the max subtraction, fails by O(1).
 */
class AttentionKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) {
            a.add(Arguments.of(p, 8, 4, 8, 0));      // stories260K's shape, first token
            a.add(Arguments.of(p, 8, 4, 8, 100));
            a.add(Arguments.of(p, 4, 1, 64, 200));   // multi-query
            a.add(Arguments.of(p, 2, 2, 256, 33));   // head size beyond the workgroup
            a.add(Arguments.of(p, 4, 2, 128, 4095)); // a 4096 context, full
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} heads {1}/{2} hs {3} pos {4}")
    @MethodSource("cases")
    void attentionMatchesTheCpu(Precision p, int heads, int kvHeads, int hs, int pos) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        int kvDim = kvHeads * hs, context = pos + 1 + 7, layers = 3, layer = 2;
        int layerOffset = layer * context * kvDim;
        float scoreScale = (float) Math.sqrt(hs); // q·k / √hs of order 1: weights neither flat nor one-hot
        float[] q = TestData.uniform(pos + 5, heads * hs, -scoreScale / 4, scoreScale / 4);
        float[] kAll = TestData.roundToHalf(TestData.uniform(pos + 6, layers * context * kvDim, -1, 1));
        float[] vAll = TestData.roundToHalf(TestData.uniform(pos + 7, layers * context * kvDim, -1, 1));

        float[] out = gpu.run(gpu.request().floats("q", q).bytes("kCache", TestData.kvBytes(p, kAll))
                .bytes("vCache", TestData.kvBytes(p, vAll)).zeros("att", 4L * heads * context)
                .zeros("out", 4L * heads * hs).bytes("step", StepUniform.bytes(pos))
                .kernel(Kernel.ATTENTION, p, null, new Params.Attention(heads, kvHeads, hs, context, layerOffset),
                        "q", "kCache", "vCache", "att", "out", "step")
                .read("out")).floats("out");

        float[] kLayer = new float[context * kvDim], vLayer = new float[context * kvDim];
        System.arraycopy(kAll, layerOffset, kLayer, 0, kLayer.length);
        System.arraycopy(vAll, layerOffset, vLayer, 0, vLayer.length);
        float[] expected = new float[heads * hs];
        Ops.attention(expected, q, kLayer, vLayer, new float[context], pos, heads, kvHeads, hs);
        TestData.assertClose(p + " pos " + pos, expected, out, 2e-5 + 4 * Math.sqrt(pos + 1) * 0x1p-24);
    }

    /** ROPE then ATTENTION in one submit sharing the cache and the Step uniform, as the engine's plan runs them. */
    @Test
    void ropeThenAttentionInOneSubmitSeeTheSameCache() {
        for (Precision p : Precision.values()) {
            if (!gpu.supports(p)) continue;
            int heads = 8, kvHeads = 4, hs = 8, kvDim = kvHeads * hs, pos = 5, context = 16;
            float[] q = TestData.uniform(1, heads * hs, -2, 2);
            float[] k = TestData.uniform(2, kvDim, -1, 1);
            float[] v = TestData.uniform(3, kvDim, -1, 1);
            float[] kPast = TestData.roundToHalf(TestData.uniform(4, context * kvDim, -1, 1));
            float[] vPast = TestData.roundToHalf(TestData.uniform(5, context * kvDim, -1, 1));
            NodeGpu.Result r = gpu.run(gpu.request().floats("q", q).floats("k", k).floats("v", v)
                    .floats("freqs", dev.kiln.model.RopeFrequencies.of(10000f, hs, dev.kiln.model.RopeScaling.NONE))
                    .bytes("kCache", TestData.kvBytes(p, kPast)).bytes("vCache", TestData.kvBytes(p, vPast))
                    .zeros("att", 4L * heads * context).zeros("xb", 4L * heads * hs).bytes("step", StepUniform.bytes(pos))
                    .kernel(Kernel.ROPE, p, null, new Params.Rope(heads, kvHeads, hs, RopeStyle.INTERLEAVED, 0),
                            "q", "k", "v", "freqs", "kCache", "vCache", "step")
                    .kernel(Kernel.ATTENTION, p, null, new Params.Attention(heads, kvHeads, hs, context, 0),
                            "q", "kCache", "vCache", "att", "xb", "step")
                    .read("xb"));

            Ops.rope(q, heads, hs, pos, 10000f, RopeStyle.INTERLEAVED);
            Ops.rope(k, kvHeads, hs, pos, 10000f, RopeStyle.INTERLEAVED);
            for (int i = 0; i < kvDim; i++) {
                kPast[pos * kvDim + i] = p == Precision.F16 ? dev.kiln.quant.Half.round(k[i]) : k[i];
                vPast[pos * kvDim + i] = p == Precision.F16 ? dev.kiln.quant.Half.round(v[i]) : v[i];
            }
            float[] expected = new float[heads * hs];
            Ops.attention(expected, q, kPast, vPast, new float[context], pos, heads, kvHeads, hs);
            // the GPU's f32 angles may round k differently into f16 by one half-ulp (2⁻¹¹·|k|, |q| ≤ 2·√2)
            TestData.assertClose(p + " rope→attention", expected, r.floats("xb"), p == Precision.F16 ? 2e-3 : 2e-5);
        }
    }
}
