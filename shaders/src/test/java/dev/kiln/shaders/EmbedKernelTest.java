package dev.kiln.shaders;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.model.DType;
import dev.kiln.quant.Dequant;

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
 * EMBED on Dawn/lavapipe against {@link Dequant#row} of the token's row. Tolerance 0: dequantizing is exact in f32
 * on both sides (f16 → f32 and f16·int are exact), so the GPU must produce the very same floats.
 */
class EmbedKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) {
            for (DType t : DType.values()) {
                a.add(Arguments.of(p, t, 512, 64));
                a.add(Arguments.of(p, t, 37, 96));
                if (!t.quantized()) a.add(Arguments.of(p, t, 9, 33)); // odd rows: f16 halves straddle words
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1} vocab {2} dim {3}")
    @MethodSource("cases")
    void embedCopiesTheDequantizedRowOfTheTokenAtPos(Precision p, DType t, int vocab, int dim) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        byte[] table = TestData.pack(t, TestData.uniform(vocab + dim, vocab * dim, -2, 2), vocab, dim);
        int[] tokens = {1, vocab - 1, 0, vocab / 2 + 1, 5 % vocab};
        int pos = 3;
        float[] x = gpu.run(gpu.request().ints("tokens", tokens).bytes("w", table).zeros("x", 4L * dim)
                .bytes("step", StepUniform.bytes(pos))
                .kernel(Kernel.EMBED, p, t, Params.Embed.of(t, vocab, dim), "tokens", "w", "x", "step")
                .read("x")).floats("x");
        float[] expected = new float[dim];
        Dequant.row(t, table, 0, vocab, dim, tokens[pos], expected);
        TestData.assertClose(p + " " + t + " row " + tokens[pos], expected, x, 0.0 + Float.MIN_VALUE);
    }

    /** A prefill block: row r gets the token at pos + r; grid rows past Step.rows keep what x held. */
    @Test
    void aBlockEmbedsTheTokensFromPosOnAndLeavesRowsPastTheBlockAlone() {
        int vocab = 37, dim = 96, rows = 4, live = 3, pos = 1;
        DType t = DType.Q4;
        byte[] table = TestData.pack(t, TestData.uniform(5, vocab * dim, -2, 2), vocab, dim);
        int[] tokens = {1, 36, 0, 18, 5};
        float[] x0 = TestData.uniform(6, rows * dim, 7, 8);
        float[] x = gpu.run(gpu.request().ints("tokens", tokens).bytes("w", table).floats("x", x0)
                .bytes("step", StepUniform.block(pos, live))
                .kernel(Kernel.EMBED, Precision.F32, t, Params.Embed.of(t, vocab, dim, rows), "tokens", "w", "x", "step")
                .read("x")).floats("x");
        float[] expected = x0.clone(), row = new float[dim];
        for (int r = 0; r < live; r++) {
            Dequant.row(t, table, 0, vocab, dim, tokens[pos + r], row);
            System.arraycopy(row, 0, expected, r * dim, dim);
        }
        TestData.assertClose("block of 3 in a grid of 4", expected, x, 0.0 + Float.MIN_VALUE);
    }
}
