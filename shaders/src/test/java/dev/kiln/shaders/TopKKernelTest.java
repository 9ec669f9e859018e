package dev.kiln.shaders;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.sample.Sampler;
import dev.kiln.sample.SamplerOptions;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TOP_K on Dawn/lavapipe against a CPU sort by (logit descending, id ascending): exact ids and logit bits
 * (comparisons and copies only).
 */
class TopKKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) {
            a.add(Arguments.of(p, 1, 1));
            a.add(Arguments.of(p, 512, 40));
            a.add(Arguments.of(p, 32000, 64));
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} n={1} k={2}")
    @MethodSource("cases")
    void topKReturnsTheKLargestInOrder(Precision p, int n, int k) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        float[] logits = TestData.uniform(n + k, n, -8, 8);
        check(p, logits, k, 9);
    }

    @Test
    void tiedLogitsComeOutByIdAndRepeatedValuesAreNotSkipped() {
        float[] logits = new float[1000];
        for (int i = 0; i < logits.length; i++) logits[i] = (i * 37 % 10) - 5; // ten values, each 100 times
        check(Precision.F32, logits, 64, 0);
    }

    @Test
    void samplingTheCandidatesEqualsSamplingTheWholeVocabularyWithTheSameTopK() {
        int n = 4096, k = 40;
        float[] logits = TestData.uniform(11, n, -4, 4);
        int[] out = run(Precision.F32, logits, k, 3);
        int[] ids = new int[k];
        float[] cand = new float[k];
        for (int r = 0; r < k; r++) { ids[r] = out[2 + 2 * r]; cand[r] = Float.intBitsToFloat(out[3 + 2 * r]); }
        for (long seed = 1; seed <= 20; seed++) {
            SamplerOptions o = new SamplerOptions(0.9f, k, 0.95f, seed);
            assertEquals(new Sampler(o).sample(null, logits, n), new Sampler(o).sample(ids, cand, k), "seed " + seed);
        }
    }

    private static void check(Precision p, float[] logits, int k, int pos) {
        int[] out = run(p, logits, k, pos);
        int[] expected = IntStream.range(0, logits.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i))
                .limit(k).mapToInt(Integer::intValue).toArray();
        int[] ids = new int[k], bits = new int[k], expectedBits = new int[k];
        for (int r = 0; r < k; r++) {
            ids[r] = out[2 + 2 * r];
            bits[r] = out[3 + 2 * r];
            expectedBits[r] = Float.floatToRawIntBits(logits[expected[r]]);
        }
        assertEquals(pos, out[0], "out[0] stamps the position");
        assertEquals(k, out[1], "out[1] is k");
        assertArrayEquals(expected, ids, "ids");
        assertArrayEquals(expectedBits, bits, "logit bits");
    }

    private static int[] run(Precision p, float[] logits, int k, int pos) {
        Params.TopK params = new Params.TopK(logits.length, k);
        return gpu.run(gpu.request().floats("logits", logits).zeros("out", params.outBytes())
                .bytes("step", StepUniform.bytes(pos))
                .kernel(Kernel.TOP_K, p, null, params, "logits", "out", "step").read("out")).ints("out");
    }
}
