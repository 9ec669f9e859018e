package dev.kiln.packager.hf;

import dev.kiln.model.DType;
import dev.kiln.model.TensorInfo;
import dev.kiln.model.TensorNames;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import dev.kiln.packager.Quant;
import dev.kiln.packager.Shared;
import dev.kiln.packager.gguf.GgmlType;
import dev.kiln.quant.Dequant;
import dev.kiln.quant.Half;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Architecture variants written by the test from the real stories260K weights (so every expected value comes from
 * the original's package): Phi-3's fused projections, untied heads, F16 and BF16 tensors, Mistral's sliding
 * window, and the features the engine does not run yet, each refused by name.
 */
class HfArchitecturesTest {
    @TempDir static Path tmp;
    static PackagedModel llama;

    @BeforeAll
    static void packOriginal() throws IOException {
        llama = PackagedModel.pack(hfDir(), tmp.resolve("llama-pkg"));
    }

    static Path hfDir() { return Shared.stories("hf/config.json").getParent(); }

    static PackagedModel variant(String name, Consumer<HfWriter> change) throws IOException {
        HfWriter w = HfWriter.stories(hfDir());
        change.accept(w);
        return PackagedModel.pack(w.write(tmp.resolve(name), 1), tmp.resolve(name + "-pkg"));
    }

    static String refused(Consumer<HfWriter> change) throws IOException {
        HfWriter w = HfWriter.stories(hfDir());
        change.accept(w);
        Path dir = w.write(Files.createTempDirectory(tmp, "bad"), 1);
        Path out = tmp.resolve(dir.getFileName() + "-pkg");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Packager.pack(dir, out, PackOptions.defaults()));
        assertFalse(Files.exists(out), "nothing is left behind");
        return e.getMessage();
    }

    @Test
    void phi3FusedProjectionsAreSplitIntoTheLlamaTensors() throws IOException {
        PackagedModel phi3 = variant("phi3", w -> {
            w.config.put("model_type", "phi3").put("tie_word_embeddings", false).putArray("architectures").add("Phi3ForCausalLM");
            w.tensors.put("lm_head.weight", w.tensors.get("model.embed_tokens.weight"));
            for (int l = 0; l < 5; l++) {
                String p = "model.layers." + l + ".";
                Map<String, HfWriter.T> t = w.tensors;
                t.put(p + "self_attn.qkv_proj.weight", HfWriter.stack(t.remove(p + "self_attn.q_proj.weight"),
                        t.remove(p + "self_attn.k_proj.weight"), t.remove(p + "self_attn.v_proj.weight")));
                t.put(p + "mlp.gate_up_proj.weight", HfWriter.stack(t.remove(p + "mlp.gate_proj.weight"), t.remove(p + "mlp.up_proj.weight")));
            }
        });
        for (TensorInfo t : llama.manifest().tensors()) assertArrayEquals(llama.bytes(t.name()), phi3.bytes(t.name()), t.name());
        assertFalse(phi3.manifest().config().tiedEmbeddings(), "lm_head.weight present and tie_word_embeddings false");
        assertArrayEquals(llama.bytes(TensorNames.TOKEN_EMBD), phi3.bytes(TensorNames.OUTPUT));
        assertEquals(llama.manifest().tensors().size() + 1, phi3.manifest().tensors().size());
    }

    @Test
    void f16TensorsAreCopiedAsF16() throws IOException {
        PackagedModel f16 = variant("f16", w -> w.tensors.replaceAll((n, t) -> convert(t, GgmlType.F16)));
        for (TensorInfo t : llama.manifest().tensors()) {
            TensorInfo h = f16.manifest().tensor(t.name());
            assertEquals(t.shape().length == 1 ? DType.F32 : DType.F16, h.dtype(), t.name());
            float[] want = values(llama, t), got = values(f16, h);
            for (int i = 0; i < want.length; i++) assertEquals(Half.toFloat(Half.fromFloat(want[i])), got[i], 0f, t.name() + "[" + i + "]");
        }
    }

    @Test
    void bf16TensorsBecomeExactF32() throws IOException {
        PackagedModel bf16 = variant("bf16", w -> w.tensors.replaceAll((n, t) -> convert(t, GgmlType.BF16)));
        for (TensorInfo t : llama.manifest().tensors()) {
            assertEquals(DType.F32, bf16.manifest().tensor(t.name()).dtype());
            float[] want = values(llama, t), got = values(bf16, bf16.manifest().tensor(t.name()));
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.intBitsToFloat(Float.floatToRawIntBits(want[i]) & 0xffff0000), got[i], 0f, t.name() + "[" + i + "]");
            }
        }
    }

    @Test
    void q8PackagingOfAHuggingFaceCheckpointEqualsQ8PackagingOfTheGguf() throws IOException {
        Path a = tmp.resolve("q8-hf"), b = tmp.resolve("q8-gguf");
        Packager.pack(hfDir(), a, PackOptions.defaults().withQuant(Quant.Q8));
        Packager.pack(Shared.stories("stories260K.gguf"), b, PackOptions.defaults().withQuant(Quant.Q8));
        PackagedModel ha = PackagedModel.read(a), gb = PackagedModel.read(b);
        for (TensorInfo t : ha.manifest().tensors()) assertArrayEquals(gb.bytes(t.name()), ha.bytes(t.name()), t.name());
    }

    @Test
    void mistralSlidingWindowCapsTheContextAtTheWindow() throws IOException {
        PackagedModel m = variant("mistral", w -> w.config.put("model_type", "mistral").put("sliding_window", 256));
        assertEquals(256, m.manifest().config().context());
        for (TensorInfo t : llama.manifest().tensors()) assertArrayEquals(llama.bytes(t.name()), m.bytes(t.name()), t.name());
    }

    @Test
    void headDimComesFromTheConfig() throws IOException {
        String msg = refused(w -> w.config.put("head_dim", 16));
        assertTrue(msg.contains("k_proj") && msg.contains("[32, 64]") && msg.contains("[64, 64]"), msg);
    }

    @Test
    void qwen2WithoutItsBiasTensorsIsRefusedNamingTheMissingBias() throws IOException {
        String msg = refused(w -> w.config.put("model_type", "qwen2"));
        assertTrue(msg.contains("attn_q_bias"), msg);
    }

    @Test
    void qwen3WithoutItsQkNormTensorsIsRefusedNamingTheMissingNorm() throws IOException {
        String msg = refused(w -> w.config.put("model_type", "qwen3"));
        assertTrue(msg.contains("attn_q_norm"), msg);
    }

    @Test
    void attentionBiasTensorsAreRefusedByName() throws IOException {
        String msg = refused(w -> w.tensors.put("model.layers.0.self_attn.q_proj.bias", new HfWriter.T(GgmlType.F32, new long[] {64}, new byte[256])));
        assertTrue(msg.contains("model.layers.0.self_attn.q_proj.bias") && msg.contains("attention biases"), msg);
    }

    @Test
    void qkNormTensorsAreRefusedByName() throws IOException {
        String msg = refused(w -> w.tensors.put("model.layers.1.self_attn.k_norm.weight", new HfWriter.T(GgmlType.F32, new long[] {8}, new byte[32])));
        assertTrue(msg.contains("k_norm") && msg.contains("q/k RMSNorm"), msg);
    }

    @Test
    void phi35LongropeIsPackagedWithItsFactorsAndTheAttentionFactorTransformersDerives() throws IOException {
        PackagedModel phi35 = variant("phi35", w -> {
            w.config.put("original_max_position_embeddings", 32); // stories260K: max_position_embeddings 512 → factor 16
            var rs = w.config.putObject("rope_scaling").put("type", "longrope");
            rs.putArray("short_factor").add(1.0).add(1.1).add(1.5).add(2.0);
            rs.putArray("long_factor").add(1.2).add(3.0).add(9.0).add(27.0);
        });
        dev.kiln.model.RopeScaling s = phi35.manifest().config().ropeScaling();
        assertEquals(dev.kiln.model.RopeScaling.Type.LONGROPE, s.type());
        assertEquals(java.util.List.of(1.0f, 1.1f, 1.5f, 2.0f), s.factors());
        assertEquals(java.util.List.of(1.2f, 3.0f, 9.0f, 27.0f), s.longFactors());
        assertEquals(32, s.originalContext());
        int max = phi35.manifest().config().context();
        assertEquals((float) Math.sqrt(1 + Math.log(max / 32.0) / Math.log(32)), s.attentionFactor(), 1e-6f);
        for (TensorInfo t : llama.manifest().tensors()) assertArrayEquals(llama.bytes(t.name()), phi35.bytes(t.name()), t.name());
    }

    @Test
    void longropeWithAnAttentionFactorInTheConfigKeepsIt() throws IOException {
        PackagedModel p = variant("longrope-af", w -> {
            var rs = w.config.putObject("rope_scaling").put("rope_type", "longrope").put("attention_factor", 1.5)
                    .put("original_max_position_embeddings", 64);
            rs.putArray("short_factor").add(1.0).add(1.0).add(1.0).add(1.0);
            rs.putArray("long_factor").add(2.0).add(2.0).add(2.0).add(2.0);
        });
        assertEquals(1.5f, p.manifest().config().ropeScaling().attentionFactor());
        assertEquals(64, p.manifest().config().ropeScaling().originalContext());
    }

    @Test
    void longropeWithFactorListsOfTheWrongLengthIsRefusedNamingHeadSize() throws IOException {
        String msg = refused(w -> {
            w.config.put("original_max_position_embeddings", 32);
            var rs = w.config.putObject("rope_scaling").put("type", "longrope");
            rs.putArray("short_factor").add(1.0).add(1.0).add(1.0);
            rs.putArray("long_factor").add(1.0).add(1.0).add(1.0);
        });
        assertTrue(msg.contains("head_size/2"), msg);
    }

    @Test
    void llama3RopeScalingWithoutItsFactorsIsRefusedNamingTheKey() throws IOException {
        String msg = refused(w -> w.config.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 32.0));
        assertTrue(msg.contains("low_freq_factor"), msg);
    }

    @Test
    void yarnRopeScalingIsRefusedByName() throws IOException {
        String msg = refused(w -> w.config.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0));
        assertTrue(msg.contains("RoPE scaling 'yarn'"), msg);
    }

    @Test
    void unknownRopeScalingIsRefusedByName() throws IOException {
        String msg = refused(w -> w.config.putObject("rope_scaling").put("type", "wobbly"));
        assertTrue(msg.contains("unknown RoPE scaling 'wobbly'"), msg);
    }

    @Test
    void mixtureOfExpertsIsRefused() throws IOException {
        String msg = refused(w -> w.config.put("num_local_experts", 8));
        assertTrue(msg.contains("mixture of experts"), msg);
    }

    @Test
    void attentionBiasFlagIsRefused() throws IOException {
        String msg = refused(w -> w.config.put("attention_bias", true));
        assertTrue(msg.contains("attention_bias"), msg);
    }

    @Test
    void untiedConfigWithoutLmHeadIsRefused() throws IOException {
        String msg = refused(w -> w.config.put("tie_word_embeddings", false));
        assertTrue(msg.contains("lm_head.weight"), msg);
    }

    static HfWriter.T convert(HfWriter.T t, GgmlType to) {
        float[] v = dev.kiln.packager.gguf.GgufFile.toFloats(t.type(), t.bytes(), t.bytes().length / 4);
        byte[] b = new byte[2 * v.length];
        for (int i = 0; i < v.length; i++) {
            int h = to == GgmlType.F16 ? Half.fromFloat(v[i]) : Float.floatToRawIntBits(v[i]) >>> 16;
            b[2 * i] = (byte) h;
            b[2 * i + 1] = (byte) (h >>> 8);
        }
        return new HfWriter.T(to, t.shape(), b);
    }

    static float[] values(PackagedModel p, TensorInfo t) throws IOException {
        byte[] b = p.bytes(t.name());
        int rows = (int) t.rows(), cols = (int) t.cols();
        float[] out = new float[rows * cols], row = new float[cols];
        for (int r = 0; r < rows; r++) {
            Dequant.row(t.dtype(), b, 0, rows, cols, r, row);
            System.arraycopy(row, 0, out, r * cols, cols);
        }
        return out;
    }
}
