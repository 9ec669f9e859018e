package dev.kiln.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeFrequencies;
import dev.kiln.model.RopeScaling;
import dev.kiln.model.RopeStyle;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

/**
 * Each architecture flag of the CPU reference against {@link NaiveLlama}, the independent double-precision forward
 * (its bias, per-head norm and RoPE frequencies are written separately from CpuModel, Ops and RopeFrequencies), at
 * every position of a 10-token sequence; and each flag must change the logits (so the comparison can fail).
 * Tolerance 1e-4 on logits of O(10), as in {@link CpuModelTest}.
 */
class ArchitectureFlagsTest {
    private static final int[] TOKENS = {1, 5, 17, 3, 22, 9, 9, 0, 12, 7};
    private static final double TOL = 1e-4;

    /** dim 32, 4 query heads over 2 KV heads of 16 (qDim 64 ≠ dim), ffn 48, vocab 24, context 16. */
    private static ModelConfig config(RopeStyle style, boolean tied) {
        return new ModelConfig("llama", 32, 2, 4, 2, 16, 48, 24, 1e-5f, 10000f, style, 16, 1, 2, tied);
    }

    /** original context 64, low 1, high 4 with head size 16: pair 0 is kept, pairs 1–2 blended, 3–7 stretched. */
    private static final RopeScaling LLAMA3 = RopeScaling.llama3(8f, 1f, 4f, 64);

    @Test
    void qkvBiasesMatchTheNaiveForwardAndChangeTheLogits() {
        check(config(RopeStyle.INTERLEAVED, false).withFlags(true, false, RopeScaling.NONE), 21);
    }

    @Test
    void perHeadQkNormWithAHeadSizeOtherThanDimOverHeadsMatchesTheNaiveForwardAndChangesTheLogits() {
        check(config(RopeStyle.HALF_SPLIT, true).withFlags(false, true, RopeScaling.NONE), 22);
    }

    @Test
    void llama3RopeScalingMatchesTheNaiveForwardAndChangesTheLogits() {
        check(config(RopeStyle.INTERLEAVED, false).withFlags(false, false, LLAMA3), 23);
    }

    @Test
    void linearRopeScalingMatchesTheNaiveForwardAndChangesTheLogits() {
        check(config(RopeStyle.HALF_SPLIT, false).withFlags(false, false, RopeScaling.linear(4f)), 24);
    }

    @Test
    void allFlagsTogetherMatchTheNaiveForward() {
        check(config(RopeStyle.INTERLEAVED, true).withFlags(true, true, LLAMA3), 25);
    }

    @Test
    void ropeFrequenciesEqualTheIndependentFormulaInEveryBand() {
        for (RopeScaling s : new RopeScaling[] {RopeScaling.NONE, RopeScaling.linear(2f), LLAMA3,
                RopeScaling.llama3(8f, 1f, 4f, 8192)}) {
            for (int hs : new int[] {16, 64, 128}) {
                ModelConfig c = new ModelConfig("llama", 64, 1, 1, 1, hs, 8, 8, 1e-5f, 500000f, RopeStyle.INTERLEAVED, 8, -1, -1, true)
                        .withFlags(false, false, s);
                float[] f = RopeFrequencies.of(c);
                assertEquals(hs / 2, f.length);
                for (int i = 0; i < f.length; i++) {
                    double want = NaiveLlama.frequency(c, i);
                    assertEquals(want, f[i], Math.abs(want) * 1e-6, s + " hs " + hs + " pair " + i);
                }
            }
        }
        // llama3: the fastest pair is kept, the slowest divided by the factor
        float[] plain = RopeFrequencies.of(500000f, 128, RopeScaling.NONE);
        float[] l3 = RopeFrequencies.of(500000f, 128, RopeScaling.llama3(8f, 1f, 4f, 8192));
        assertEquals(plain[0], l3[0]);
        assertEquals(plain[63] / 8, l3[63], plain[63] * 1e-6);
    }

    private static void check(ModelConfig c, long seed) {
        TinyModel tiny = new TinyModel(seed, c);
        assertEquals(c, tiny.manifest.config(), "the flags survive the manifest's JSON");
        CpuModel model = tiny.load();
        ModelConfig plain = c.withFlags(false, false, RopeScaling.NONE);
        double changed = 0;
        for (int pos = 0; pos < TOKENS.length; pos++) {
            float[] logits = model.forward(TOKENS[pos], pos);
            int[] prefix = Arrays.copyOf(TOKENS, pos + 1);
            double[] expected = NaiveLlama.logits(c, tiny.weights, prefix);
            double[] without = NaiveLlama.logits(plain, tiny.weights, prefix);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], logits[i], TOL, "pos " + pos + " logit " + i);
                changed = Math.max(changed, Math.abs(without[i] - expected[i]));
            }
        }
        assertTrue(changed > 100 * TOL, "the flags changed the logits by only " + changed);
    }
}
