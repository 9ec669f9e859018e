package dev.kiln.shaders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.sample.Sampler;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ARGMAX on Dawn/lavapipe against {@link Sampler#argmax}: exact (comparisons only), lowest index among ties. */
class ArgmaxKernelTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() { gpu = NodeGpu.start(); }
    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Precision p : Precision.values()) for (int n : new int[] {1, 255, 512, 32000, 200_000}) a.add(Arguments.of(p, n));
        return a.stream();
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("cases")
    void argmaxWritesTheBestIdAtPosPlusOne(Precision p, int n) {
        assumeTrue(gpu.supports(p), p + " needs " + p.requiredFeature() + ", which " + gpu.adapter() + " lacks");
        float[] logits = TestData.uniform(n, n, -5, 5);
        assertEquals(Sampler.argmax(logits, n), run(p, logits, 6, 10)[7]);
    }

    @Test
    void tiesGoToTheLowestIndexAndInfinitiesCount() {
        int n = 5000;
        float[] logits = new float[n];
        java.util.Arrays.fill(logits, Float.NEGATIVE_INFINITY);
        for (int i : new int[] {4321, 777, 3000, 4999}) logits[i] = 2.5f; // equal maxima
        assertEquals(777, run(Precision.F32, logits, 0, 4)[1]);
        java.util.Arrays.fill(logits, Float.NEGATIVE_INFINITY);
        assertEquals(0, run(Precision.F32, logits, 0, 4)[1], "all −∞: index 0, like the CPU");
    }

    @Test
    void onlyTokensAtPosPlusOneChanges() {
        float[] logits = TestData.uniform(1, 300, -1, 1);
        int[] tokens = run(Precision.F32, logits, 2, 6);
        assertEquals(Sampler.argmax(logits, 300), tokens[3]);
        for (int i : new int[] {0, 1, 2, 4, 5}) assertEquals(1000 + i, tokens[i], "tokens[" + i + "] untouched");
        int[] last = run(Precision.F32, logits, 5, 6); // pos + 1 is past the end: nothing is written
        for (int i = 0; i < 6; i++) assertEquals(1000 + i, last[i]);
    }

    /** tokens starts as 1000, 1001, …; returns it after ARGMAX at pos. */
    private static int[] run(Precision p, float[] logits, int pos, int context) {
        int[] tokens = new int[context];
        for (int i = 0; i < context; i++) tokens[i] = 1000 + i;
        return gpu.run(gpu.request().floats("logits", logits).ints("tokens", tokens).bytes("step", StepUniform.bytes(pos))
                .kernel(Kernel.ARGMAX, p, null, new Params.Argmax(logits.length), "logits", "tokens", "step")
                .read("tokens")).ints("tokens");
    }
}
