package dev.kiln.packager.gguf;

import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeFrequencies;
import dev.kiln.model.RopeScaling;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.ShardInfo;
import dev.kiln.testsupport.SyntheticModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manifest's rope_scaling "factors" (llama.cpp's rope_freqs): the llama3 formula in another form, stored inline. */
class RopeFactorsTest {
    private static List<Float> list(float[] v) {
        List<Float> out = new ArrayList<>();
        for (float f : v) out.add(f);
        return out;
    }

    @Test
    void factorsComputedFromTheLlama3FormulaGiveTheLlama3Frequencies() {
        // Llama 3.1/3.2: θ 500000, head size 128 (3B: 128; 1B: 64), factor 8 (3.2: 32), low 1, high 4, original 8192
        for (int hs : new int[] {64, 128}) {
            for (float factor : new float[] {8f, 32f}) {
                float[] ff = SyntheticModel.ropeFactors(500000f, hs, factor, 1f, 4f, 8192);
                float[] want = RopeFrequencies.of(500000f, hs, RopeScaling.llama3(factor, 1f, 4f, 8192));
                float[] got = RopeFrequencies.of(500000f, hs, RopeScaling.factors(list(ff)));
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 2e-6 * want[i], "hs " + hs + " factor " + factor + " frequency " + i);
                }
                // and not trivially: some frequencies are stretched, some kept
                float[] plain = RopeFrequencies.of(500000f, hs, RopeScaling.NONE);
                assertEquals(plain[0], got[0], 0f, "the fastest pair is kept");
                assertEquals(plain[hs / 2 - 1] / factor, got[hs / 2 - 1], 1e-6 * plain[hs / 2 - 1], "the slowest is stretched");
            }
        }
    }

    @Test
    void factorsRoundTripThroughTheManifestWithoutAFactorKey() {
        ModelConfig c = new ModelConfig("llama", 16, 1, 2, 1, 8, 32, 8, 1e-5f, 500000f, RopeStyle.INTERLEAVED, 32, 1, 2, true)
                .withFlags(false, false, RopeScaling.factors(List.of(1f, 1.5f, 7.25f, 8f)));
        String json = new Manifest("m", c, "tokenizer-0.json", List.of(), List.of(new ShardInfo("shard-00000-0.bin", 0, "0"))).toJson();
        assertTrue(json.contains("\"factors\"") && json.contains("7.25"), json);
        assertFalse(json.contains("\"factor\""), "factors carries no single factor:\n" + json);
        assertEquals(c, Manifest.fromJson(json).config());
    }

    @Test
    void factorsOfTheWrongCountAreRefusedNamingHeadSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                new ModelConfig("llama", 16, 1, 2, 1, 8, 32, 8, 1e-5f, 1e4f, RopeStyle.INTERLEAVED, 32, 1, 2, true)
                        .withFlags(false, false, RopeScaling.factors(List.of(1f, 2f))));
        assertTrue(e.getMessage().contains("head_size/2 = 4"), e.getMessage());
    }

    @Test
    void nonPositiveFactorsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RopeScaling.factors(List.of(1f, 0f)));
        assertThrows(IllegalArgumentException.class, () -> RopeScaling.factors(List.of()));
    }
}
