package dev.kiln.shaders;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.model.DType;
import dev.kiln.quant.Dequant;
import dev.kiln.reference.Ops;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MAT_VEC_QKV on Dawn/lavapipe: wq, wk and wv packed one after another with 256-byte alignment (as a shard holds
 * them) and bound as one range, against {@link Ops#matVec} of each over its dequantized weights. Tolerance as
 * {@link MatVecKernelTest}'s (the same products, summation order only). Reading a tensor's quants or scales at the
 * wrong offset costs O(|w·x|).
 */
class MatVecQkvKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    /** {qRows, kvRows, cols}: quantized need cols % 32 == 0; f32/f16 also get odd widths. */
    static Stream<Arguments> shapes() {
        List<Arguments> a = new ArrayList<>();
        int[][] grouped = {{64, 16, 64}, {896, 128, 896}, {33, 7, 96}};
        int[][] any = {{5, 3, 33}, {1, 1, 1}};
        for (Precision p : Precision.values()) {
            for (DType t : DType.values()) {
                for (int[] s : grouped) a.add(Arguments.of(p, t, s[0], s[1], s[2]));
                if (!t.quantized()) for (int[] s : any) a.add(Arguments.of(p, t, s[0], s[1], s[2]));
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1} q {2} kv {3} cols {4}")
    @MethodSource("shapes")
    void theThreeProjectionsMatchTheCpuFromOneBoundRange(Precision p, DType t, int qRows, int kvRows, int cols) throws Exception {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        int[] rows = {qRows, kvRows, kvRows};
        Range range = Range.of(t, rows, cols, 31L * qRows + cols);
        byte[][] packed = range.packed;
        int[] words = range.words;
        float[] x = TestData.uniform(cols, cols, -1, 1);
        NodeGpu.Result r = gpu.run(gpu.request().bytes("w", range.bytes).floats("x", TestData.padded(x))
                .zeros("q", 4L * qRows).zeros("k", 4L * kvRows).zeros("v", 4L * kvRows)
                .kernel(Kernel.MAT_VEC_QKV, p, t, Params.MatVecQkv.of(t, qRows, kvRows, cols, words[0], words[1], words[2]),
                        "w", "x", "x", "x", "q", "k", "v")
                .read("q", "k", "v"));
        String[] names = {"q", "k", "v"};
        for (int i = 0; i < 3; i++) {
            float[] wq = Dequant.all(t, packed[i], 0, rows[i], cols);
            float[] expected = new float[rows[i]];
            Ops.matVec(expected, wq, x, rows[i], cols);
            TestData.assertClose(p + " " + t + " " + names[i], expected, r.floats(names[i]),
                    MatVecKernelTest.tolerance(wq, x, rows[i], cols));
        }
    }
    /**
     * Qwen2's attention input side in one launch: RMSNorm folded in, then the three projections and their biases (bound
     * as one f32 range, bk before bq to show each is found by its own offset), against Ops.rmsNorm, Ops.matVec and
     * the bias adds. Tolerance: {@link MatVecKernelTest#normTolerance} plus one rounding of the bias add.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("normBiasCases")
    void theNormAndTheBiasesFoldIn(Precision p, DType t) throws Exception {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        int qRows = 96, kvRows = 32, cols = 128;
        int[] rows = {qRows, kvRows, kvRows};
        Range range = Range.of(t, rows, cols, 5);
        byte[][] packed = range.packed;
        int[] words = range.words;
        float[][] bias = {TestData.uniform(91, qRows, -2, 2), TestData.uniform(92, kvRows, -2, 2), TestData.uniform(93, kvRows, -2, 2)};
        int[] at = {kvRows, 0, kvRows + qRows}; // float offsets in the bias range: bk, bq, bv
        float[] b = new float[qRows + 2 * kvRows];
        for (int i = 0; i < 3; i++) System.arraycopy(bias[i], 0, b, at[i], rows[i]);
        float[] x = TestData.uniform(94, cols, -3, 3), g = TestData.uniform(95, cols, 0.5f, 1.5f);
        float eps = 1e-6f;
        NodeGpu.Result r = gpu.run(gpu.request().bytes("w", range.bytes).floats("x", x).floats("g", g).floats("b", b)
                .zeros("q", 4L * qRows).zeros("k", 4L * kvRows).zeros("v", 4L * kvRows)
                .kernel(Kernel.MAT_VEC_QKV, p, t, Params.MatVecQkv.of(t, qRows, kvRows, cols, words[0], words[1], words[2])
                        .normed(eps).biased(at[0], at[1], at[2]), "w", "x", "g", "b", "q", "k", "v")
                .read("q", "k", "v"));
        float[] xb = new float[cols];
        Ops.rmsNorm(xb, x, g, cols, eps);
        String[] names = {"q", "k", "v"};
        for (int i = 0; i < 3; i++) {
            float[] wq = Dequant.all(t, packed[i], 0, rows[i], cols);
            float[] expected = new float[rows[i]];
            Ops.matVec(expected, wq, xb, rows[i], cols);
            float[] tol = MatVecKernelTest.normTolerance(wq, xb, rows[i], cols);
            for (int j = 0; j < rows[i]; j++) {
                expected[j] += bias[i][j];
                tol[j] += Math.ulp(Math.abs(expected[j]));
            }
            TestData.assertClose(p + " " + t + " " + names[i], expected, r.floats(names[i]), tol);
        }
    }

    /** wq, wk, wv of random weights packed one after another, each 256-byte aligned (as a shard holds them). */
    record Range(byte[] bytes, byte[][] packed, int[] words) {
        static Range of(DType t, int[] rows, int cols, long seed) throws java.io.IOException {
            byte[][] packed = new byte[3][];
            int[] words = new int[3];
            ByteArrayOutputStream range = new ByteArrayOutputStream();
            for (int i = 0; i < 3; i++) {
                packed[i] = TestData.pack(t, TestData.uniform(seed + 77L * i + rows[i], rows[i] * cols, -1, 1), rows[i], cols);
                words[i] = range.size() / 4;
                range.write(packed[i]);
                while (range.size() % 256 != 0) range.write(0x5a); // padding the kernel must not read
            }
            return new Range(range.toByteArray(), packed, words);
        }
    }

    static Stream<Arguments> normBiasCases() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) for (DType t : DType.values()) a.add(Arguments.of(p, t));
        return a.stream();
    }
}
