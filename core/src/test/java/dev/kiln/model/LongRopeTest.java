package dev.kiln.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Phi-3.5's LongRoPE in the model format: which factors the frequency table takes (fixed by the engine's context,
 * as llama.cpp chooses), the default attention factor, and the manifest round trip at version 2.
 */
class LongRopeTest {
    private static final List<Float> SHORT = List.of(1f, 1.5f, 2f, 4f), LONG = List.of(1f, 3f, 9f, 27f);
    private static final RopeScaling LONGROPE = RopeScaling.longrope(SHORT, LONG, 16, 1.25f);

    private static ModelConfig config(int context) {
        return new ModelConfig("llama", 16, 1, 2, 1, 8, 32, 8, 1e-5f, 10000f, RopeStyle.INTERLEAVED, context, 1, 2, true)
                .withFlags(false, false, LONGROPE);
    }

    @Test
    void aContextPastTheOriginalOneTakesTheLongFactors() {
        float[] plain = RopeFrequencies.of(10000f, 8, RopeScaling.NONE);
        float[] f = RopeFrequencies.of(config(17));
        for (int i = 0; i < 4; i++) assertEquals(plain[i] / LONG.get(i), f[i], 1e-7f * plain[i], "pair " + i);
    }

    @Test
    void aContextWithinTheOriginalOneTakesTheShortFactors() {
        float[] plain = RopeFrequencies.of(10000f, 8, RopeScaling.NONE);
        float[] f = RopeFrequencies.of(config(16));
        for (int i = 0; i < 4; i++) assertEquals(plain[i] / SHORT.get(i), f[i], 1e-7f * plain[i], "pair " + i);
    }

    @Test
    void theDefaultAttentionFactorIsTheSquareRootOfOnePlusLogRatioOverLogOriginal() {
        // Phi-3.5-mini: 131072 positions over an original 4096 → √(1 + ln 32 / ln 4096) ≈ 1.1902
        assertEquals(Math.sqrt(1 + Math.log(32) / Math.log(4096)), RopeScaling.longropeAttentionFactor(131072 / 4096.0, 4096), 1e-6);
        assertEquals(1f, RopeScaling.longropeAttentionFactor(1.0, 4096));
    }

    @Test
    void longropeRoundTripsAtVersionTwoWhileOtherModelsStayAtOne() {
        Manifest m = new Manifest("m", config(64), "tokenizer-0.json", List.of(), List.of(new ShardInfo("shard-00000-0.bin", 0, "0")));
        String json = m.toJson();
        assertTrue(json.contains("\"version\": 2"), json);
        assertTrue(json.contains("\"short_factors\"") && json.contains("\"long_factors\"") && json.contains("\"attention_factor\""), json);
        assertEquals(m.config(), Manifest.fromJson(json).config());
        Manifest plain = new Manifest("m", config(64).withFlags(false, false, RopeScaling.NONE), "tokenizer-0.json", List.of(),
                List.of(new ShardInfo("shard-00000-0.bin", 0, "0")));
        assertTrue(plain.toJson().contains("\"version\": 1"), plain.toJson());
        assertThrows(RuntimeException.class, () -> Manifest.fromJson(json.replace("\"version\": 2", "\"version\": 3")));
    }

    @Test
    void mismatchedFactorListsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RopeScaling.longrope(SHORT, LONG.subList(0, 3), 16, 1f));
        assertTrue(e.getMessage().contains("long factors"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RopeFrequencies.of(10000f, 8, LONGROPE));
        assertArrayEquals(RopeFrequencies.of(config(64)), RopeFrequencies.of(10000f, 8, LONGROPE, 64));
    }
}
