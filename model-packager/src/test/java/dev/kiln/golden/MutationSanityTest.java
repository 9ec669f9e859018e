package dev.kiln.golden;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.TensorInfo;
import dev.kiln.packager.Quant;
import dev.kiln.packager.Shared;
import dev.kiln.reference.CpuModel;
import dev.kiln.reference.ShardSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden comparisons can go red: a reference broken on purpose must not reproduce the golden ids and logits.
 * Each break goes in through the inputs (the manifest config, the shard bytes); the production code is untouched.
 *
 * <p>Not detectable, measured: ignoring eps (1e-5) entirely. The smallest mean square entering any RMSNorm on the
 * golden prompts is about 0.03, so eps moves the norm scale by ~1.5e-4 relative: the first-step logits move by at
 * most 4.4e-4 (under the 1e-3 tolerance) and all greedy ids stay the same. Eps ten times too large is caught.
 */
class MutationSanityTest {
    @TempDir static Path tmp;
    private static Packaged f32, q4;
    private static Golden golden, goldenQ4;

    @BeforeAll
    static void pack() throws IOException {
        f32 = Packaged.pack(Shared.stories("stories260K.gguf"), tmp.resolve("f32"), Quant.KEEP);
        q4 = Packaged.pack(Shared.stories("stories260K-q4_0.gguf"), tmp.resolve("q4_0"), Quant.KEEP);
        golden = Golden.read(Shared.stories("stories260K.golden.json"));
        goldenQ4 = Golden.read(Shared.stories("stories260K-q4_0.golden.json"));
    }

    private static ModelConfig with(RopeStyle style, float eps) {
        ModelConfig c = f32.manifest().config();
        return new ModelConfig(c.architecture(), c.dim(), c.layers(), c.heads(), c.kvHeads(), c.headSize(), c.ffn(),
                c.vocab(), eps, c.ropeBase(), style, c.context(), c.bos(), c.eos(), c.tiedEmbeddings());
    }

    @Test
    void theUnbrokenReferencesMatch() {
        // the control for the tests below: the same harness on unaltered inputs
        assertTrue(matchesEveryCase(f32.cpu(), golden));
        assertTrue(matchesEveryCase(q4.cpu(), goldenQ4));
    }

    @Test
    void ropeOnHalfSplitPairsInsteadOfAdjacentPairsDoesNotMatch() {
        CpuModel broken = f32.cpu(with(RopeStyle.HALF_SPLIT, f32.manifest().config().normEps()));
        assertFalse(matchesEveryCase(broken, golden));
        Golden.Case c = golden.cases().get(0);
        assertFalse(Arrays.equals(c.genIds(), Packaged.greedy(broken, c.promptIds(), c.genIds().length)),
                "half-split RoPE changes the greedy ids of " + c);
    }

    @Test
    void rmsNormWithEpsTenTimesTooLargeDoesNotMatch() {
        assertFalse(matchesEveryCase(f32.cpu(with(RopeStyle.INTERLEAVED, 1e-4f)), golden));
    }

    @Test
    void q4WeightsWithSwappedNibblesDoNotMatch() {
        Manifest m = q4.manifest();
        ShardSource original = q4.shards();
        ShardSource swapped = i -> {
            byte[] b = original.read(i).clone();
            for (TensorInfo t : m.tensors()) {
                if (t.shard() != i || t.dtype() != DType.Q4) continue;
                long quants = t.dtype().scaleOffset(t.rows(), t.cols());
                for (long k = t.offset(); k < t.offset() + quants; k++) {
                    int v = b[(int) k] & 0xFF;
                    b[(int) k] = (byte) (v >>> 4 | (v & 0xF) << 4);
                }
            }
            return b;
        };
        CpuModel broken = CpuModel.load(m, swapped);
        assertFalse(matchesEveryCase(broken, goldenQ4));
        Golden.Case c = goldenQ4.cases().get(0);
        assertFalse(Arrays.equals(c.genIds(), Packaged.greedy(broken, c.promptIds(), c.genIds().length)));
    }

    /** Greedy ids equal for every case and first-step top-5 logits within 1e-3. */
    private static boolean matchesEveryCase(CpuModel model, Golden g) {
        for (Golden.Case c : g.cases()) {
            float[] logits = StoriesGoldenTest.prefill(model, c.promptIds());
            for (int i = 0; i < 5; i++) if (Math.abs(logits[c.top5Ids()[i]] - c.top5Logits()[i]) > 1e-3) return false;
            if (!Arrays.equals(Packaged.greedy(model, c.promptIds(), c.genIds().length), c.genIds())) return false;
        }
        return true;
    }
}
