package dev.kiln.reference;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.recipe.Step;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuModelTest {
    private static final int[] TOKENS = {1, 5, 17, 3, 22, 9, 9, 0, 12, 7};

    /** f32 accumulation over these widths stays within 1e-4 of the double-precision oracle (logits are O(10)). */
    @ParameterizedTest
    @EnumSource(RopeStyle.class)
    void matchesAnIndependentDoublePrecisionForwardAtEveryPosition(RopeStyle style) {
        TinyModel tiny = new TinyModel(7, false, style);
        CpuModel model = tiny.load();
        for (int pos = 0; pos < TOKENS.length; pos++) {
            float[] logits = model.forward(TOKENS[pos], pos);
            int[] prefix = java.util.Arrays.copyOf(TOKENS, pos + 1);
            double[] expected = NaiveLlama.logits(tiny.config, tiny.weights, prefix);
            for (int i = 0; i < expected.length; i++) assertEquals(expected[i], logits[i], 1e-4, "pos " + pos + " logit " + i);
        }
    }

    @Test
    void withoutAnOutputTensorTheEmbeddingIsTheLmHead() {
        TinyModel tiny = new TinyModel(8, true, RopeStyle.INTERLEAVED);
        assertTrue(!tiny.manifest.hasTensor("output"));
        CpuModel model = tiny.load();
        float[] logits = null;
        for (int pos = 0; pos < 4; pos++) logits = model.forward(TOKENS[pos], pos);
        double[] expected = NaiveLlama.logits(tiny.config, tiny.weights, java.util.Arrays.copyOf(TOKENS, 4));
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], logits[i], 1e-4);
    }

    @Test
    void resetForgetsThePreviousSequence() {
        CpuModel model = new TinyModel(9, false, RopeStyle.INTERLEAVED).load();
        float[] first = run(model, new int[] {4, 8, 15, 16});
        run(model, new int[] {23, 1, 2});
        model.reset();
        // position 0 after a reset sees only itself, whatever filled the cache before
        float[] again = run(model, new int[] {4, 8, 15, 16});
        assertArrayEquals(first, again);
    }

    private static float[] run(CpuModel m, int[] ids) {
        float[] logits = null;
        for (int pos = 0; pos < ids.length; pos++) logits = m.forward(ids[pos], pos);
        return logits.clone();
    }

    @Test
    void theListenerSeesEveryStepInOrderWithItsWidth() {
        TinyModel tiny = new TinyModel(10, false, RopeStyle.INTERLEAVED);
        CpuModel model = tiny.load();
        List<String> seen = new ArrayList<>();
        float[][] last = new float[1][];
        model.setListener((step, layer, values, n) -> {
            seen.add(step + "/" + layer + ":" + n);
            if (step == Step.LOGITS) last[0] = java.util.Arrays.copyOf(values, n);
        });
        float[] logits = model.forward(3, 0);
        ModelConfig c = tiny.config;
        List<String> expected = new ArrayList<>();
        expected.add("EMBED/-1:" + c.dim());
        for (int l = 0; l < c.layers(); l++) {
            expected.addAll(List.of("ATT_NORM/" + l + ":" + c.dim(), "Q/" + l + ":" + c.qDim(), "K/" + l + ":" + c.kvDim(),
                    "V/" + l + ":" + c.kvDim(), "ROPE/" + l + ":" + (c.qDim() + c.kvDim()), "ATT/" + l + ":" + c.qDim(),
                    "WO/" + l + ":" + c.dim(), "FFN_NORM/" + l + ":" + c.dim(), "W1/" + l + ":" + c.ffn(),
                    "W3/" + l + ":" + c.ffn(), "SILU_MUL/" + l + ":" + c.ffn(), "W2/" + l + ":" + c.dim()));
        }
        expected.add("FINAL_NORM/-1:" + c.dim());
        expected.add("LOGITS/-1:" + c.vocab());
        assertEquals(expected, seen);
        assertArrayEquals(logits, last[0]);
    }

    @Test
    void atPositionZeroRopeLeavesQAndKUnrotated() {
        CpuModel model = new TinyModel(11, false, RopeStyle.INTERLEAVED).load();
        float[][] before = new float[2][];
        float[][] rope = new float[1][];
        model.setListener((step, layer, values, n) -> {
            if (layer != 0) return;
            if (step == Step.Q) before[0] = java.util.Arrays.copyOf(values, n);
            if (step == Step.K) before[1] = java.util.Arrays.copyOf(values, n);
            if (step == Step.ROPE) rope[0] = java.util.Arrays.copyOf(values, n);
        });
        model.forward(6, 0);
        float[] qk = new float[before[0].length + before[1].length];
        System.arraycopy(before[0], 0, qk, 0, before[0].length);
        System.arraycopy(before[1], 0, qk, before[0].length, before[1].length);
        assertArrayEquals(qk, rope[0], "angle 0: the ROPE step is q then k, unchanged");
    }

    @Test
    void q8WeightsAreDequantizedOnceAndUsedAsStored() {
        TinyModel tiny = new TinyModel(12, false, RopeStyle.INTERLEAVED).write(DType.Q8);
        // the oracle gets the values the q8 package actually stores
        java.util.Map<String, float[]> stored = new java.util.LinkedHashMap<>();
        for (TensorInfo t : tiny.manifest.tensors()) {
            stored.put(t.name(), dev.kiln.quant.Dequant.all(t.dtype(), tiny.shard, (int) t.offset(), (int) t.rows(), (int) t.cols()));
        }
        assertTrue(tiny.manifest.tensors().stream().anyMatch(t -> t.dtype() == DType.Q8));
        assertTrue(!java.util.Arrays.equals(stored.get("blk.0.attn_q"), tiny.weights.get("blk.0.attn_q")), "q8 changed the values");
        float[] logits = run(tiny.load(), TOKENS);
        double[] expected = NaiveLlama.logits(tiny.config, stored, TOKENS);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], logits[i], 1e-4, "logit " + i);
    }

    @Test
    void aTensorWhoseShapeDisagreesWithTheConfigIsRefusedByName() {
        TinyModel tiny = new TinyModel(13, false, RopeStyle.INTERLEAVED);
        Manifest m = tiny.manifest;
        List<TensorInfo> tensors = new ArrayList<>();
        for (TensorInfo t : m.tensors()) {
            tensors.add(t.name().equals("blk.1.attn_k") ? new TensorInfo(t.name(), new long[] {t.cols(), t.rows()},
                    t.dtype(), t.shard(), t.offset(), t.length()) : t);
        }
        Manifest bad = new Manifest(m.name(), m.config(), m.tokenizer(), tensors, m.shards());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuModel.load(bad, i -> tiny.shard));
        assertTrue(e.getMessage().contains("blk.1.attn_k"), e.getMessage());
    }

    @Test
    void aShardOfTheWrongSizeIsRefused() {
        TinyModel tiny = new TinyModel(14, false, RopeStyle.INTERLEAVED);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CpuModel.load(tiny.manifest, i -> new byte[10]));
        assertTrue(e.getMessage().contains("shard 0"), e.getMessage());
    }

    @Test
    void tokensAndPositionsOutsideTheModelAreRefused() {
        CpuModel model = new TinyModel(15, false, RopeStyle.INTERLEAVED).load();
        assertThrows(IllegalArgumentException.class, () -> model.forward(TinyModel.VOCAB, 0));
        assertThrows(IllegalArgumentException.class, () -> model.forward(0, TinyModel.CONTEXT));
    }
}
