package dev.kiln.packager.gguf;

import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeScaling;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.TensorNames;
import dev.kiln.packager.hf.PackagedModel;
import dev.kiln.reference.CpuModel;
import dev.kiln.reference.ShardSource;
import dev.kiln.testsupport.SyntheticModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GGUF qwen2, qwen3 and Llama 3.x (with {@code rope_freqs.weight}) against their Hugging Face twins: the same random
 * weights written once as transformers stores them and once as llama.cpp's converter does ({@link SyntheticModel}),
 * both packaged, both run by the CPU reference. The Hugging Face path is itself checked against transformers' math
 * (webclient ArchitecturesTest), so equal logits mean the GGUF mapping — NEOX RoPE for qwen, biases, q/k norms,
 * head size from key_length, frequency factors — is right.
 * Tolerance 1e-4 on logits of about ±5: both sides are f32 over the same values; the sums run in other orders
 * (permuted rows) and the factors are f32 divisors instead of the double llama3 formula (measured ≤ 2e-6). A wrong
 * RoPE pairing or missing scaling moves logits by O(0.1–1), checked below so the comparison is seen to fail.
 */
class GgufArchitecturesTest {
    static final double TOL = 1e-4;
    static final int SEQUENCE = 20;

    // Qwen2/2.5: q/k/v biases, GQA 4:1, tied embeddings, θ 1e6
    static final SyntheticModel.Arch QWEN2 = new SyntheticModel.Arch("qwen2", "qwen2", 64, 2, 8, 2, 0, 96, true, "F32", 1e6f, null, 0);
    // Qwen3: per-head q/k RMSNorm, head size 16 from key_length with hidden 48 (heads · head size = 64 ≠ 48), tied
    static final SyntheticModel.Arch QWEN3 = new SyntheticModel.Arch("qwen3", "qwen3", 48, 2, 4, 2, 16, 96, true, "F32", 1e6f, null, 0);
    // Llama 3.x: GQA 2:1, untied, θ 500000, head size 16 with original context 64: pairs kept, blended and stretched
    static final SyntheticModel.Arch LLAMA3 = new SyntheticModel.Arch("llama3", "llama", 64, 2, 4, 2, 0, 96, false, "F32", 500000f,
            Map.of("rope_type", "llama3", "factor", 8.0, "low_freq_factor", 1.0, "high_freq_factor", 4.0,
                    "original_max_position_embeddings", 64), 0);

    @TempDir Path tmp;

    record Twins(PackagedModel hf, PackagedModel gguf) {}

    Twins pack(SyntheticModel.Arch a) throws IOException {
        SyntheticModel t = new SyntheticModel(a, a.modelType().hashCode());
        String n = a.name();
        PackagedModel hf = PackagedModel.pack(t.writeHf(tmp.resolve(n + "-hf")), tmp.resolve(n + "-hf-pkg"));
        PackagedModel gguf = PackagedModel.pack(t.writeGguf(tmp.resolve(n + ".gguf")), tmp.resolve(n + "-gguf-pkg"));
        return new Twins(hf, gguf);
    }

    @ParameterizedTest(name = "GGUF {0} gives the logits of its Hugging Face twin")
    @ValueSource(strings = {"qwen2", "qwen3", "llama3"})
    void aGgufPackageComputesWhatItsHuggingFaceTwinComputes(String name) throws IOException {
        SyntheticModel.Arch a = switch (name) {
            case "qwen2" -> QWEN2;
            case "qwen3" -> QWEN3;
            default -> LLAMA3;
        };
        Twins p = pack(a);
        double d = maxDiff(p.hf().cpu(), p.gguf().cpu());
        assertTrue(d <= TOL, name + ": GGUF and Hugging Face packages differ by " + d + " (> " + TOL + ")");
        System.out.printf("%s: GGUF vs Hugging Face max |Δlogit| %.2e%n", name, d);
    }

    @Test
    void qwen2GgufKeepsHuggingFaceRowsForNeoxRopeWithItsBiases() throws IOException {
        ModelConfig c = pack(QWEN2).gguf().manifest().config();
        assertEquals(RopeStyle.HALF_SPLIT, c.ropeStyle(), "llama.cpp runs qwen2 with LLAMA_ROPE_TYPE_NEOX");
        assertTrue(c.qkvBias() && !c.qkNorm() && c.tiedEmbeddings());
        assertEquals(RopeScaling.NONE, c.ropeScaling());
    }

    @Test
    void qwen3GgufTakesItsHeadSizeFromKeyLengthAndHasQkNorms() throws IOException {
        PackagedModel g = pack(QWEN3).gguf();
        ModelConfig c = g.manifest().config();
        assertEquals(RopeStyle.HALF_SPLIT, c.ropeStyle());
        assertEquals(16, c.headSize(), "qwen3.attention.key_length, not embedding_length / head_count = 12");
        assertTrue(c.qkNorm() && !c.qkvBias());
        assertEquals(16L, g.manifest().tensor(TensorNames.attnKNorm(1)).shape()[0]);
    }

    @Test
    void llama3RopeFreqsBecomeInlineFactorsAndNoTensor() throws IOException {
        PackagedModel g = pack(LLAMA3).gguf();
        ModelConfig c = g.manifest().config();
        assertEquals(RopeStyle.INTERLEAVED, c.ropeStyle());
        assertEquals(RopeScaling.Type.FACTORS, c.ropeScaling().type());
        float[] want = SyntheticModel.ropeFactors(500000f, 16, 8f, 1f, 4f, 64);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], c.ropeScaling().factors().get(i), 0f, "factor " + i);
        assertTrue(g.manifest().tensors().stream().noneMatch(t -> t.name().contains("rope")), "rope_freqs is config, not a tensor");
    }

    /** The comparison can fail: the same GGUF package run with the other RoPE pairing, or without its factors. */
    @Test
    void aWrongRopePairingOrMissingFactorsIsSeenByTheComparison() throws IOException {
        Twins qwen = pack(QWEN2);
        ModelConfig c = qwen.gguf().manifest().config();
        ModelConfig wrong = new ModelConfig(c.architecture(), c.dim(), c.layers(), c.heads(), c.kvHeads(), c.headSize(), c.ffn(),
                c.vocab(), c.normEps(), c.ropeBase(), RopeStyle.INTERLEAVED, c.context(), c.bos(), c.eos(), c.tiedEmbeddings(),
                c.qkvBias(), c.qkNorm(), c.ropeScaling());
        double d = maxDiff(qwen.hf().cpu(), cpu(qwen.gguf(), wrong));
        assertTrue(d > 0.05, "interleaved pairs on NEOX rows should change the logits, changed by " + d);

        Twins llama = pack(LLAMA3);
        ModelConfig l = llama.gguf().manifest().config();
        double e = maxDiff(llama.hf().cpu(), cpu(llama.gguf(), l.withFlags(false, false, RopeScaling.NONE)));
        assertTrue(e > 0.05, "dropping the rope_freqs factors should change the logits, changed by " + e);
    }

    /** Teacher-forced over the same ids from position 0: the largest logit difference. */
    static double maxDiff(CpuModel x, CpuModel y) {
        Random r = new Random(7);
        double max = 0;
        for (int pos = 0; pos < SEQUENCE; pos++) {
            int id = pos == 0 ? 1 : 3 + r.nextInt(SyntheticModel.VOCAB - 3);
            float[] a = x.forward(id, pos).clone(), b = y.forward(id, pos);
            for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    /** The package's shards run under another config (same tensors). */
    static CpuModel cpu(PackagedModel p, ModelConfig c) {
        Manifest m = p.manifest();
        ShardSource s = i -> {
            try {
                return Files.readAllBytes(p.dir().resolve(m.shards().get(i).file()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return CpuModel.load(new Manifest(m.name(), c, m.tokenizer(), m.tensors(), m.shards()), s);
    }
}
