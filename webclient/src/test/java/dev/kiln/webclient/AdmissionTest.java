package dev.kiln.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.kiln.engine.Admission;
import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;
import dev.kiln.shaders.Precision;
import org.junit.jupiter.api.Test;

/** Admission control from the manifest and the adapter's limits, before any download. */
class AdmissionTest {
    static final double MIB = 1 << 20;

    /** 2 layers, kv_dim 64 (4 heads × 16): one KV cache holds 2 × 64 × 4 = 512 bytes per position in f32. */
    static Manifest model(int context, long tensorBytes, long shardBytes) {
        ModelConfig c = new ModelConfig("llama", 64, 2, 4, 4, 16, 128, 100, 1e-5f, 10000f, RopeStyle.INTERLEAVED, context, 1, 2, true);
        return new Manifest("m", c, "tokenizer.json",
                List.of(new TensorInfo("token_embd.weight", new long[] {100, tensorBytes / 400}, DType.F32, 0, 0, tensorBytes)),
                List.of(new ShardInfo("shard-00000.bin", shardBytes, "0".repeat(64))));
    }

    @Test
    void aModelWithinEveryLimitIsAdmittedUnchanged() {
        Manifest m = model(4096, 40_000, 40_000);
        assertSame(m, Admission.admit(m, 128 * MIB, 256 * MIB, Precision.F32));
    }

    @Test
    void aKvCacheLargerThanOneBindingGetsTheLargestContextThatFits() {
        Manifest m = Admission.admit(model(4096, 40_000, 40_000), 1 * MIB, 256 * MIB, Precision.F32);
        assertEquals(2048, m.config().context(), "1 MiB / 512 bytes per position");
        assertEquals(4096, Admission.admit(model(4096, 40_000, 40_000), 1 * MIB, 256 * MIB, Precision.F16).config().context(),
                "f16 keys and values take half: all 4096 positions fit");
    }

    @Test
    void fewerThan256PositionsIsARefusalNamingASmallerModelOrQuantization() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Admission.admit(model(4096, 40_000, 40_000), 64 * 1024, 256 * MIB, Precision.F32));
        assertTrue(e.getMessage().contains("does not fit this GPU") && e.getMessage().contains("--quant q4")
                && e.getMessage().contains("maxStorageBufferBindingSize"), e.getMessage());
    }

    @Test
    void aTensorLargerThanOneBindingIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Admission.admit(model(256, 2_000_000, 2_000_000), 1 * MIB, 256 * MIB, Precision.F32));
        assertTrue(e.getMessage().contains("token_embd.weight") && e.getMessage().contains("smaller model"), e.getMessage());
    }

    @Test
    void aShardLargerThanOneBufferAsksForASmallerShardSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Admission.admit(model(256, 40_000, 3_000_000), 128 * MIB, 2 * MIB, Precision.F32));
        assertTrue(e.getMessage().contains("--shard-size"), e.getMessage());
    }
}
