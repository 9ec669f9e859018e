package dev.kiln.packager.gguf;

import dev.kiln.model.RopeScaling;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import dev.kiln.packager.hf.PackagedModel;
import dev.kiln.testsupport.SyntheticModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GGUF inputs with an architecture or option the engine does not run: each refused naming it, nothing left behind. */
class GgufUnsupportedTest {
    @TempDir Path tmp;

    static final SyntheticModel.Arch LLAMA = new SyntheticModel.Arch("llama", "llama", 32, 1, 4, 2, 0, 64, true, "F32", 10000f, null, 0);
    static final SyntheticModel.Arch QWEN2 = new SyntheticModel.Arch("qwen2", "qwen2", 32, 1, 4, 2, 0, 64, true, "F32", 1e6f, null, 0);
    static final SyntheticModel.Arch QWEN3 = new SyntheticModel.Arch("qwen3", "qwen3", 32, 1, 4, 2, 16, 64, true, "F32", 1e6f, null, 0);

    /** A twin's GGUF with keys replaced ({@code key → value}, null drops it), tensors left out, then {@code extra}. */
    static GgufWriter gguf(SyntheticModel.Arch a, Map<String, Object> keys, Set<String> leaveOut) {
        GgufWriter w = new GgufWriter(3) {
            @Override
            public GgufWriter kv(String key, int type, Object value) {
                if (!keys.containsKey(key)) return super.kv(key, type, value);
                Object v = keys.get(key);
                if (v == null) return this;
                return v instanceof String s ? super.kv(key, GgufValueType.STRING.ordinal(), s) : super.kv(key, type, v);
            }

            @Override
            public GgufWriter tensor(String name, int type, long[] ne, byte[] data, Long offset) {
                return leaveOut.contains(name) ? this : super.tensor(name, type, ne, data, offset);
            }
        };
        return new SyntheticModel(a, 3).gguf(w);
    }

    String refused(GgufWriter w) throws IOException {
        Path in = w.write(tmp.resolve("in.gguf")), out = tmp.resolve("out");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Packager.pack(in, out, PackOptions.defaults()));
        assertFalse(Files.exists(out), "nothing is left behind");
        return e.getMessage();
    }

    @Test
    void aMixtureOfExpertsArchitectureIsRefusedAsSuch() throws IOException {
        String msg = refused(gguf(QWEN2, Map.of("general.architecture", "qwen2moe"), Set.of()));
        assertTrue(msg.contains("'qwen2moe'") && msg.contains("mixture of experts"), msg);
    }

    @Test
    void anotherArchitectureIsRefusedNamingItAndWhatKilnPackages() throws IOException {
        String msg = refused(gguf(LLAMA, Map.of("general.architecture", "gemma2"), Set.of()));
        assertTrue(msg.contains("'gemma2'") && msg.contains("qwen2") && msg.contains("qwen3"), msg);
    }

    @Test
    void aLlamaWithExpertsIsRefusedNamingTheExpertCount() throws IOException {
        String msg = refused(gguf(LLAMA, Map.of(), Set.of()).u32("llama.expert_count", 8));
        assertTrue(msg.contains("llama.expert_count is 8") && msg.contains("mixture of experts"), msg);
    }

    @Test
    void expertTensorsAreRefusedAsAMixtureOfExperts() throws IOException {
        String msg = refused(gguf(LLAMA, Map.of(), Set.of()).tensor("blk.0.ffn_gate_exps.weight", GgmlType.F32,
                new long[] {32, 64, 2}, new byte[4 * 32 * 64 * 2]));
        assertTrue(msg.contains("blk.0.ffn_gate_exps.weight") && msg.contains("mixture of experts"), msg);
    }

    @Test
    void qwen2WithoutItsBiasesIsRefusedNamingTheMissingTensor() throws IOException {
        String msg = refused(gguf(QWEN2, Map.of(), Set.of("blk.0.attn_k.bias")));
        assertTrue(msg.contains("'blk.0.attn_k.bias' is missing"), msg);
    }

    @Test
    void biasesOnALlamaAreRefusedNamingTheFeature() throws IOException {
        String msg = refused(gguf(LLAMA, Map.of(), Set.of()).tensor("blk.0.attn_q.bias", GgmlType.F32, new long[] {32}, new byte[128]));
        assertTrue(msg.contains("blk.0.attn_q.bias") && msg.contains("q/k/v attention biases"), msg);
    }

    @Test
    void qkNormsOnAQwen2AreRefusedNamingTheFeature() throws IOException {
        String msg = refused(gguf(QWEN2, Map.of(), Set.of()).tensor("blk.0.attn_q_norm.weight", GgmlType.F32, new long[] {8}, new byte[32]));
        assertTrue(msg.contains("blk.0.attn_q_norm.weight") && msg.contains("q/k RMSNorm"), msg);
    }

    @Test
    void yarnRopeScalingIsRefusedByName() throws IOException {
        String msg = refused(gguf(QWEN2, Map.of(), Set.of()).string("qwen2.rope.scaling.type", "yarn").f32("qwen2.rope.scaling.factor", 4f));
        assertTrue(msg.contains("qwen2.rope.scaling.type 'yarn'"), msg);
    }

    @Test
    void ropeFreqsOfTheWrongLengthAreRefused() throws IOException {
        String msg = refused(gguf(LLAMA, Map.of(), Set.of()).tensor("rope_freqs.weight", GgmlType.F32, new long[] {8}, new byte[32]));
        assertTrue(msg.contains("rope_freqs.weight") && msg.contains("expected [4]"), msg);
    }

    @Test
    void slidingWindowAttentionIsRefused() throws IOException {
        String msg = refused(gguf(QWEN3, Map.of(), Set.of()).u32("qwen3.attention.sliding_window", 16));
        assertTrue(msg.contains("sliding-window"), msg);
    }

    @Test
    void differentKeyAndValueHeadSizesAreRefused() throws IOException {
        String msg = refused(gguf(QWEN3, Map.of("qwen3.attention.value_length", 8L), Set.of()));
        assertTrue(msg.contains("qwen3.attention.value_length is 8"), msg);
    }

    @Test
    void anUnknownTensorIsRefusedByName() throws IOException {
        String msg = refused(gguf(QWEN3, Map.of(), Set.of()).tensor("blk.0.attn_sinks.weight", GgmlType.F32, new long[] {4}, new byte[16]));
        assertTrue(msg.contains("'blk.0.attn_sinks.weight' is not a llama tensor"), msg);
    }

    @Test
    void linearRopeScalingIsKept() throws IOException {
        Path in = gguf(LLAMA, Map.of(), Set.of()).string("llama.rope.scaling.type", "linear").f32("llama.rope.scaling.factor", 2f)
                .write(tmp.resolve("linear.gguf"));
        assertEquals(RopeScaling.linear(2f), PackagedModel.pack(in, tmp.resolve("linear")).manifest().config().ropeScaling());
    }
}
