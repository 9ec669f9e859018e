package dev.kiln.sample;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {

    /** Random logits over n candidates with shuffled, distinct token ids. */
    private static float[] logits(Random r, int n) {
        float[] l = new float[n];
        for (int i = 0; i < n; i++) l[i] = (float) (3 * r.nextGaussian());
        return l;
    }

    private static int[] shuffledIds(Random r, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = 1000 + 7 * i;
        for (int i = n - 1; i > 0; i--) { int j = r.nextInt(i + 1), t = ids[i]; ids[i] = ids[j]; ids[j] = t; }
        return ids;
    }

    @Test
    void argmaxTakesTheLowestIndexOnTies() {
        assertEquals(1, Sampler.argmax(new float[] {0f, 5f, 5f, -1f}, 4));
        assertEquals(0, Sampler.argmax(new float[] {2f, 1f, 9f}, 2), "only the first n count");
    }

    @Test
    void greedyIsTheArgmaxWhateverTheCandidateOrder() {
        Random r = new Random(1);
        Sampler greedy = new Sampler(SamplerOptions.greedy());
        for (int trial = 0; trial < 100; trial++) {
            float[] l = logits(r, 40);
            int[] ids = shuffledIds(r, 40);
            assertEquals(ids[Sampler.argmax(l, 40)], greedy.sample(ids, l, 40));
            assertEquals(Sampler.argmax(l, 40), greedy.sample(null, l, 40), "null ids: candidate i is token i");
        }
    }

    @Test
    void greedyTiesGoToTheLowerTokenId() {
        Sampler greedy = new Sampler(SamplerOptions.greedy());
        assertEquals(3, greedy.sample(new int[] {9, 3, 5}, new float[] {1f, 1f, 1f}, 3));
    }

    @Test
    void topKOfOneIsGreedyAtAnyTemperature() {
        Random r = new Random(2);
        Sampler s = new Sampler(new SamplerOptions(1.5f, 1, 1f, 7));
        for (int trial = 0; trial < 100; trial++) {
            float[] l = logits(r, 32);
            int[] ids = shuffledIds(r, 32);
            assertEquals(ids[Sampler.argmax(l, 32)], s.sample(ids, l, 32));
        }
    }

    @Test
    void aTinyTopPIsGreedy() {
        Random r = new Random(3);
        Sampler s = new Sampler(new SamplerOptions(1f, 0, 1e-6f, 11));
        for (int trial = 0; trial < 100; trial++) {
            float[] l = logits(r, 32);
            int[] ids = shuffledIds(r, 32);
            assertEquals(ids[Sampler.argmax(l, 32)], s.sample(ids, l, 32));
        }
    }

    @Test
    void theSameSeedGivesTheSameTokensAndAnotherSeedOthers() {
        Random r = new Random(4);
        float[][] steps = new float[64][];
        for (int i = 0; i < steps.length; i++) steps[i] = logits(r, 50);
        int[] a = run(new SamplerOptions(1f, 40, 0.95f, 1234), steps);
        int[] b = run(new SamplerOptions(1f, 40, 0.95f, 1234), steps);
        int[] c = run(new SamplerOptions(1f, 40, 0.95f, 1235), steps);
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
    }

    private static int[] run(SamplerOptions o, float[][] steps) {
        Sampler s = new Sampler(o);
        int[] out = new int[steps.length];
        for (int i = 0; i < steps.length; i++) out[i] = s.sample(null, steps[i], steps[i].length);
        return out;
    }

    @Test
    void theCandidateOrderDoesNotChangeTheDraw() {
        Random r = new Random(5);
        float[] l = logits(r, 30);
        int[] ids = new int[30];
        for (int i = 0; i < 30; i++) ids[i] = i;
        float[] rl = new float[30];
        int[] rids = new int[30];
        for (int i = 0; i < 30; i++) { rl[i] = l[29 - i]; rids[i] = 29 - i; }
        Sampler a = new Sampler(new SamplerOptions(0.8f, 20, 0.9f, 99)), b = new Sampler(new SamplerOptions(0.8f, 20, 0.9f, 99));
        for (int i = 0; i < 200; i++) assertEquals(a.sample(ids, l, 30), b.sample(rids, rl, 30));
    }

    /**
     * Over 200 000 draws each candidate's frequency is within 0.005 of softmax(l / T) (the standard error of a
     * frequency is at most sqrt(0.25 / 200 000) ≈ 0.0011, so this is more than 4 sigma).
     */
    @Test
    void drawFrequenciesFollowTheTemperedSoftmax() {
        float[] l = {2.0f, 1.0f, 0.5f, 0.0f, -1.0f};
        float t = 0.7f;
        double[] p = softmax(l, t, l.length);
        double[] f = frequencies(new SamplerOptions(t, 0, 1f, 42), l, 200_000);
        for (int i = 0; i < l.length; i++) assertEquals(p[i], f[i], 0.005, "candidate " + i);
    }

    @Test
    void topKDrawsOnlyFromTheKBestRenormalised() {
        float[] l = {0.5f, 2.0f, -1.0f, 1.0f, 0.0f};
        double[] f = frequencies(new SamplerOptions(1f, 2, 1f, 43), l, 100_000);
        double[] p = softmax(new float[] {2.0f, 1.0f}, 1f, 2);
        assertEquals(p[0], f[1], 0.006);
        assertEquals(p[1], f[3], 0.006);
        assertEquals(0.0, f[0] + f[2] + f[4]);
    }

    @Test
    void topPKeepsTheSmallestSetReachingTheMass() {
        // probabilities 0.5, 0.3, 0.15, 0.05: p = 0.8 keeps exactly the first two (0.5 + 0.3 ≥ 0.8)
        float[] l = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)};
        double[] f = frequencies(new SamplerOptions(1f, 0, 0.79f, 44), l, 100_000);
        assertEquals(0.5 / 0.8, f[0], 0.006);
        assertEquals(0.3 / 0.8, f[1], 0.006);
        assertEquals(0.0, f[2] + f[3]);
        double[] g = frequencies(new SamplerOptions(1f, 0, 0.81f, 44), l, 100_000);
        assertTrue(g[2] > 0.1, "p just above 0.8 takes the third candidate in too");
    }

    @Test
    void optionsOutsideTheirRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SamplerOptions(-1f, 0, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplerOptions(Float.NaN, 0, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplerOptions(1f, -1, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplerOptions(1f, 0, 0f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplerOptions(1f, 0, 1.5f, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(SamplerOptions.greedy()).sample(null, new float[1], 0));
    }

    private static double[] frequencies(SamplerOptions o, float[] l, int draws) {
        Sampler s = new Sampler(o);
        double[] f = new double[l.length];
        for (int i = 0; i < draws; i++) f[s.sample(null, l, l.length)] += 1.0 / draws;
        return f;
    }

    private static double[] softmax(float[] l, float t, int n) {
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += p[i] = Math.exp(l[i] / t);
        for (int i = 0; i < n; i++) p[i] /= sum;
        return p;
    }
}
