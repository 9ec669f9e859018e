package dev.kiln.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PenaltiesTest {

    @Test
    void repetitionDividesPositiveAndMultipliesNegativeLogitsOfSeenTokensOnly() {
        Penalties p = new Penalties(10, 2f, 0f, 0f);
        p.prompt(new int[] {1});
        p.generated(2);
        int[] ids = {1, 2, 3};
        float[] logits = {4f, -4f, 4f};
        p.apply(ids, logits, 3);
        assertArrayEquals(new float[] {2f, -8f, 4f}, logits);
    }

    @Test
    void frequencyCountsOccurrencesInTheReplyAndPresenceOnlyWhetherItOccurs() {
        Penalties p = new Penalties(10, 1f, 0.5f, 0.25f);
        p.prompt(new int[] {3});
        p.generated(2);
        p.generated(2);
        p.generated(2);
        int[] ids = {2, 3, 4};
        float[] logits = {1f, 1f, 1f};
        p.apply(ids, logits, 3);
        assertEquals(1f - 3 * 0.5f - 0.25f, logits[0], 1e-6);
        assertEquals(1f, logits[1], "the prompt does not count for frequency and presence");
        assertEquals(1f, logits[2]);
    }

    @Test
    void greedyWithAPenaltyTakesTheBestCandidateAfterIt() {
        Penalties p = new Penalties(10, 1f, 2f, 0f);
        p.generated(5);
        int[] ids = {5, 6};
        float[] logits = {3f, 2f};
        p.apply(ids, logits, 2);
        assertEquals(6, new Sampler(SamplerOptions.greedy()).sample(ids, logits, 2));
    }
}
