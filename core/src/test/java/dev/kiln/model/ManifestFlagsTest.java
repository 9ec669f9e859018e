package dev.kiln.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The optional architecture keys of config: absent means a plain llama, present round-trips, bad values are named. */
class ManifestFlagsTest {
    private static final ModelConfig PLAIN = new ModelConfig("llama", 16, 1, 2, 1, 8, 32, 8, 1e-5f, 10000f,
            RopeStyle.INTERLEAVED, 32, 1, 2, true);

    private static Manifest manifest(ModelConfig c) {
        return new Manifest("m", c, "tokenizer-0.json", List.of(), List.of(new ShardInfo("shard-00000-0.bin", 0, "0")));
    }

    @Test
    void aPlainLlamaWritesNoneOfTheNewKeysAndReadsBackWithDefaults() {
        String json = manifest(PLAIN).toJson();
        for (String key : List.of("qkv_bias", "qk_norm", "rope_scaling")) assertFalse(json.contains(key), key + " in\n" + json);
        ModelConfig back = Manifest.fromJson(json).config();
        assertEquals(PLAIN, back);
        assertFalse(back.qkvBias() || back.qkNorm());
        assertEquals(RopeScaling.NONE, back.ropeScaling());
    }

    @Test
    void everyFlagRoundTrips() {
        for (ModelConfig c : List.of(PLAIN.withFlags(true, false, RopeScaling.NONE), PLAIN.withFlags(false, true, RopeScaling.linear(2f)),
                PLAIN.withFlags(true, true, RopeScaling.llama3(32f, 1f, 4f, 8192)))) {
            String json = manifest(c).toJson();
            assertEquals(c, Manifest.fromJson(json).config(), json);
        }
    }

    @Test
    void anUnknownScalingTypeIsRefusedByName() {
        String json = manifest(PLAIN.withFlags(false, false, RopeScaling.linear(2f))).toJson().replace("\"linear\"", "\"yarn\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Manifest.fromJson(json));
        assertTrue(e.getMessage().contains("yarn"), e.getMessage());
    }
}
