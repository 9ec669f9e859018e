package dev.kiln.shaders;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.model.RopeFrequencies;
import dev.kiln.model.RopeScaling;
import dev.kiln.model.RopeStyle;
import dev.kiln.reference.Ops;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * ROPE on Dawn/lavapipe against {@link Ops#rope} (double-precision angles from the same f32 frequency table,
 * {@link RopeFrequencies}) on q and on k, plus the cache write; plain, Llama-3-scaled and LongRoPE tables (the
 * last with its attention factor, which scales rotated q and k; the tolerance scales with it).
 *
 * <p>Tolerance |Δ| ≤ (3e-6 + pos·2⁻²²)·max|x|: the GPU computes θ = pos·freqs[i] in f32 (one rounding, ≤ θ·2⁻²⁴),
 * so a rotated value is off by |x|·Δθ; cos/sin after the two-part 2π reduction add ~1e-6 on lavapipe. The f16 cache (F16) also
 * allows half a half-ulp: 2⁻¹¹·|x|. Swapping the pair convention or dropping the reduction fails by O(|x|).
 */
class RopeKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    /** LongRoPE with Phi-3.5's shape of factors (short near 1, long growing) and its attention factor for 32×. */
    static final RopeScaling PHI35_LIKE = RopeScaling.longrope(List.of(1f, 1.02f, 1.3f, 2.1f),
            List.of(1.05f, 1.6f, 8.2f, 40.5f), 32, RopeScaling.longropeAttentionFactor(32, 32));

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) {
            for (RopeStyle s : RopeStyle.values()) {
                a.add(Arguments.of(p, s, 8, 4, 8, 0, RopeScaling.NONE));        // stories260K's shape
                a.add(Arguments.of(p, s, 8, 4, 8, 17, RopeScaling.NONE));
                a.add(Arguments.of(p, s, 4, 1, 64, 127, RopeScaling.NONE));
                a.add(Arguments.of(p, s, 2, 2, 128, 4095, RopeScaling.NONE));   // a long context: large angles
                a.add(Arguments.of(p, s, 4, 2, 64, 300, RopeScaling.llama3(8f, 1f, 4f, 256))); // all three bands
                a.add(Arguments.of(p, s, 4, 2, 8, 40, PHI35_LIKE));               // long factors and attention factor
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1} heads {2}/{3} hs {4} pos {5} {6}")
    @MethodSource("cases")
    void ropeRotatesQAndKAndStoresKAndVAtPos(Precision p, RopeStyle style, int heads, int kvHeads, int hs, int pos,
                                             RopeScaling scaling) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        int kvDim = kvHeads * hs, context = pos + 3, layers = 2, layer = 1;
        int layerOffset = layer * context * kvDim;
        float[] freqs = RopeFrequencies.of(10000f, hs, scaling, context + 32); // past LongRoPE's original context: long factors
        float scale = scaling.attentionFactor();
        float[] q = TestData.uniform(pos + 1, heads * hs, -1, 1);
        float[] k = TestData.uniform(pos + 2, kvDim, -1, 1);
        float[] v = TestData.uniform(pos + 3, kvDim, -1, 1);
        long cacheBytes = (long) layers * context * kvDim * p.kvBytes();

        NodeGpu.Result r = gpu.run(gpu.request().floats("q", q).floats("k", k).floats("v", v).floats("freqs", freqs)
                .zeros("kCache", cacheBytes).zeros("vCache", cacheBytes).bytes("step", StepUniform.bytes(pos))
                .kernel(Kernel.ROPE, p, null, new Params.Rope(heads, kvHeads, hs, style, layerOffset, scale),
                        "q", "k", "v", "freqs", "kCache", "vCache", "step")
                .read("q", "kCache", "vCache"));

        float[] qRef = q.clone(), kRef = k.clone();
        Ops.rope(qRef, heads, hs, pos, freqs, style, scale);
        Ops.rope(kRef, kvHeads, hs, pos, freqs, style, scale);
        double angleTol = (3e-6 + pos * 0x1p-22) * scale;
        TestData.assertClose(p + " q", qRef, r.floats("q"), angleTol);

        int cells = layers * context * kvDim;
        float[] kCache = TestData.kvFloats(p, r.bytes("kCache"), cells), vCache = TestData.kvFloats(p, r.bytes("vCache"), cells);
        float[] kExpected = new float[cells], vExpected = new float[cells];
        int row = layerOffset + pos * kvDim;
        System.arraycopy(kRef, 0, kExpected, row, kvDim);
        System.arraycopy(v, 0, vExpected, row, kvDim);
        double storeTol = p == Precision.F16 ? 0x1p-11 : 0; // |x| ≤ √2·scale < 2: half a half-ulp
        TestData.assertClose(p + " kCache (only row pos of layer 1 written)", kExpected, kCache, angleTol + storeTol + 1e-30);
        TestData.assertClose(p + " vCache (only row pos of layer 1 written)", vExpected, vCache, storeTol + 1e-30);
    }

    /**
     * A prefill block: row r rotates at pos + r and lands in cache row pos + r; grid rows past Step.rows touch neither
     * q nor the cache (a partial last block must not write past the prompt).
     */
    @org.junit.jupiter.api.Test
    void aBlockRotatesEachRowAtItsOwnPositionAndWritesOnlyItsRows() {
        Precision p = Precision.F32;
        RopeStyle style = RopeStyle.HALF_SPLIT;
        int heads = 4, kvHeads = 2, hs = 8, kvDim = kvHeads * hs, qDim = heads * hs, pos = 5, rows = 4, live = 3;
        int context = pos + rows + 2, layers = 2, layerOffset = context * kvDim;
        float[] freqs = RopeFrequencies.of(10000f, hs, RopeScaling.NONE, context);
        float[] q = TestData.uniform(1, rows * qDim, -1, 1);
        float[] k = TestData.uniform(2, rows * kvDim, -1, 1);
        float[] v = TestData.uniform(3, rows * kvDim, -1, 1);
        long cacheBytes = (long) layers * context * kvDim * p.kvBytes();
        NodeGpu.Result r = gpu.run(gpu.request().floats("q", q).floats("k", k).floats("v", v).floats("freqs", freqs)
                .zeros("kCache", cacheBytes).zeros("vCache", cacheBytes).bytes("step", StepUniform.block(pos, live))
                .kernel(Kernel.ROPE, p, null, new Params.Rope(heads, kvHeads, hs, style, layerOffset, 1f, rows),
                        "q", "k", "v", "freqs", "kCache", "vCache", "step")
                .read("q", "kCache", "vCache"));
        float[] qExpected = q.clone();
        int cells = layers * context * kvDim;
        float[] kExpected = new float[cells], vExpected = new float[cells];
        for (int row = 0; row < live; row++) {
            float[] qr = java.util.Arrays.copyOfRange(q, row * qDim, (row + 1) * qDim);
            float[] kr = java.util.Arrays.copyOfRange(k, row * kvDim, (row + 1) * kvDim);
            Ops.rope(qr, heads, hs, pos + row, freqs, style, 1f);
            Ops.rope(kr, kvHeads, hs, pos + row, freqs, style, 1f);
            System.arraycopy(qr, 0, qExpected, row * qDim, qDim);
            System.arraycopy(kr, 0, kExpected, layerOffset + (pos + row) * kvDim, kvDim);
            System.arraycopy(v, row * kvDim, vExpected, layerOffset + (pos + row) * kvDim, kvDim);
        }
        double angleTol = 3e-6 + (pos + rows) * 0x1p-22;
        TestData.assertClose("q of 3 rows in a grid of 4", qExpected, r.floats("q"), angleTol);
        TestData.assertClose("kCache rows pos..pos+2", kExpected, TestData.kvFloats(p, r.bytes("kCache"), cells), angleTol);
        TestData.assertClose("vCache rows pos..pos+2", vExpected, TestData.kvFloats(p, r.bytes("vCache"), cells), 1e-30);
    }
}
