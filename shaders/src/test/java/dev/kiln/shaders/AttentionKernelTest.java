package dev.kiln.shaders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.model.RopeFrequencies;
import dev.kiln.model.RopeScaling;
import dev.kiln.model.RopeStyle;
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
 * Decode attention as the engine runs it — ATTENTION over chunks of {@link Params.Attention#CHUNK} cache positions
 * (RoPE of q, k and the cache append of k, v at pos folded in), then ATTENTION_COMBINE in the same submit — against
 * {@link Ops#rope} of q and k, the cache row pos set to them, then {@link Ops#attention}.
 *
 * <p>The past cache holds values an f16 cache holds exactly (rounded first), so both sides read the same numbers; k
 * and v of pos go through the kernel's rotation and, on F16, its rounding to f16, which the CPU side copies by rounding
 * its rotated k (the angles may differ by an ulp, so on F16 a rounded k may differ by one half-ulp: 2⁻¹¹·|k|; the
 * cached k itself is checked with RopeKernelTest's bound, which grows with pos as the f32 angle does). Beyond
 * that the sides differ by f32 arithmetic: scores (hs products), exp (3 + 2|x| ulp), the chunk merge and the order of
 * the sums. Tolerance |Δ| ≤ 2e-5 + 4·√(pos+1)·2⁻²⁴ on F32 and 2e-3 on F16 (outputs are weighted means of values in
 * [−1, 1]). Reading the wrong KV head, position, layer or chunk, or a wrong merge, fails by O(1).
 */
class AttentionKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) {
            a.add(Arguments.of(p, 8, 4, 8, 0, RopeStyle.INTERLEAVED));      // stories260K's shape, first token
            a.add(Arguments.of(p, 8, 4, 8, 100, RopeStyle.INTERLEAVED));
            a.add(Arguments.of(p, 4, 1, 64, 200, RopeStyle.HALF_SPLIT));    // multi-query
            a.add(Arguments.of(p, 2, 2, 256, 33, RopeStyle.HALF_SPLIT));    // head size beyond the workgroup
            a.add(Arguments.of(p, 14, 2, 64, 255, RopeStyle.HALF_SPLIT));   // the last position of chunk 0
            a.add(Arguments.of(p, 14, 2, 64, 256, RopeStyle.HALF_SPLIT));   // the first of chunk 1: pos alone in it
            a.add(Arguments.of(p, 6, 2, 96, 700, RopeStyle.INTERLEAVED));   // Phi-3's head size, three chunks
            a.add(Arguments.of(p, 4, 2, 128, 4095, RopeStyle.HALF_SPLIT)); // a 4096 context, full: 16 chunks
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} heads {1}/{2} hs {3} pos {4} {5}")
    @MethodSource("cases")
    void chunkedAttentionMatchesRopeThenAttentionOnTheCpu(Precision p, int heads, int kvHeads, int hs, int pos, RopeStyle style) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        int kvDim = kvHeads * hs, context = pos + 1 + 7, layers = 3, layer = 2;
        int layerOffset = layer * context * kvDim;
        float scale = pos == 100 ? 1.2f : 1f; // LongRoPE's attention factor, once
        float[] freqs = RopeFrequencies.of(10000f, hs, RopeScaling.NONE);
        float qRange = (float) Math.sqrt(hs) / 4; // q·k / √hs of order 1: weights neither flat nor one-hot
        float[] q = TestData.uniform(pos + 5, heads * hs, -qRange, qRange);
        float[] k = TestData.uniform(pos + 8, kvDim, -1, 1);
        float[] v = TestData.uniform(pos + 9, kvDim, -1, 1);
        float[] kAll = TestData.roundToHalf(TestData.uniform(pos + 6, layers * context * kvDim, -1, 1));
        float[] vAll = TestData.roundToHalf(TestData.uniform(pos + 7, layers * context * kvDim, -1, 1));
        Params.Attention params = Params.Attention.of(heads, kvHeads, hs, context, layerOffset, style, scale);

        NodeGpu.Result r = gpu.run(gpu.request().floats("q", q).floats("k", k).floats("v", v).floats("freqs", freqs)
                .bytes("kCache", TestData.kvBytes(p, kAll)).bytes("vCache", TestData.kvBytes(p, vAll))
                .zeros("part", 4 * params.partFloats()).zeros("out", 4L * heads * hs).bytes("step", StepUniform.bytes(pos))
                .kernel(Kernel.ATTENTION, p, null, params, "q", "k", "v", "freqs", "kCache", "vCache", "part", "step")
                .kernel(Kernel.ATTENTION_COMBINE, p, null, Params.AttentionCombine.of(params), "part", "out", "step")
                .read("out", "kCache", "vCache"));

        float[] qr = q.clone(), kr = k.clone();
        Ops.rope(qr, heads, hs, pos, freqs, style, scale);
        Ops.rope(kr, kvHeads, hs, pos, freqs, style, scale);
        float[] kLayer = new float[context * kvDim], vLayer = new float[context * kvDim];
        System.arraycopy(kAll, layerOffset, kLayer, 0, kLayer.length);
        System.arraycopy(vAll, layerOffset, vLayer, 0, vLayer.length);
        for (int i = 0; i < kvDim; i++) {
            kLayer[pos * kvDim + i] = p == Precision.F16 ? Half.round(kr[i]) : kr[i];
            vLayer[pos * kvDim + i] = p == Precision.F16 ? Half.round(v[i]) : v[i];
        }
        float[] expected = new float[heads * hs];
        Ops.attention(expected, qr, kLayer, vLayer, new float[context], pos, heads, kvHeads, hs);
        double tol = p == Precision.F16 ? 2e-3 : 2e-5 + 4 * Math.sqrt(pos + 1) * 0x1p-24;
        TestData.assertClose(p + " pos " + pos, expected, r.floats("out"), tol);

        // the cache row pos of this layer now holds rotated k and v; every other row is as it was
        float[] kCache = TestData.kvFloats(p, r.bytes("kCache"), kAll.length);
        float[] vCache = TestData.kvFloats(p, r.bytes("vCache"), vAll.length);
        float[] kWant = kAll.clone(), vWant = vAll.clone();
        System.arraycopy(kLayer, pos * kvDim, kWant, layerOffset + pos * kvDim, kvDim);
        System.arraycopy(vLayer, pos * kvDim, vWant, layerOffset + pos * kvDim, kvDim);
        // RopeKernelTest's bound: θ = pos·freqs[i] rounds once in f32, |k| ≤ 1, scale ≤ 1.2 (and f16's half-ulp on F16)
        double kTol = 1.2 * (3e-6 + pos * 0x1p-22) * Math.sqrt(2) + (p == Precision.F16 ? 2e-3 : 0);
        TestData.assertClose(p + " kCache", kWant, kCache, kTol);
        TestData.assertClose(p + " vCache", vWant, vCache, 0);
    }

    /** The partials layout the combine reads: a chunk past pos is never written, so stale values there change nothing. */
    @Test
    void chunksPastThePositionAreNeitherWrittenNorRead() {
        int heads = 2, kvHeads = 1, hs = 8, pos = 10, context = 1024; // four chunks, only chunk 0 live
        Params.Attention params = Params.Attention.of(heads, kvHeads, hs, context, 0, RopeStyle.INTERLEAVED, 1f);
        assertEquals(4, params.splits());
        float[] garbage = new float[(int) params.partFloats()];
        java.util.Arrays.fill(garbage, 1e30f);
        float[] q = TestData.uniform(1, heads * hs, -1, 1), k = TestData.uniform(2, hs, -1, 1), v = TestData.uniform(3, hs, -1, 1);
        float[] freqs = RopeFrequencies.of(10000f, hs, RopeScaling.NONE);
        float[] cache = TestData.uniform(4, context * hs, -1, 1);
        NodeGpu.Result r = gpu.run(gpu.request().floats("q", q).floats("k", k).floats("v", v).floats("freqs", freqs)
                .floats("kCache", cache).floats("vCache", cache).floats("part", garbage).zeros("out", 4L * heads * hs)
                .bytes("step", StepUniform.bytes(pos))
                .kernel(Kernel.ATTENTION, Precision.F32, null, params, "q", "k", "v", "freqs", "kCache", "vCache", "part", "step")
                .kernel(Kernel.ATTENTION_COMBINE, Precision.F32, null, Params.AttentionCombine.of(params), "part", "out", "step")
                .read("out", "part"));
        float[] part = r.floats("part");
        for (int h = 0; h < heads; h++) {
            for (int c = 1; c < 4; c++) assertEquals(1e30f, part[(h * 4 + c) * (hs + 2)], "head " + h + " chunk " + c);
        }
        for (float o : r.floats("out")) org.junit.jupiter.api.Assertions.assertTrue(Math.abs(o) <= 1, "a weighted mean of values in [-1, 1]: " + o);
    }
}
