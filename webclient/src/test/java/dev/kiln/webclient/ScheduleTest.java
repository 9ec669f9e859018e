package dev.kiln.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.kiln.engine.Schedule;
import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeScaling;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;
import dev.kiln.model.TensorNames;
import dev.kiln.recipe.Op;
import dev.kiln.recipe.Recipe;
import dev.kiln.recipe.Stage;
import dev.kiln.recipe.Step;
import dev.kiln.recipe.Weight;
import dev.kiln.shaders.Kernel;
import dev.kiln.shaders.Params;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The GPU plan's launches against the forward recipe, on the JVM without a GPU: {@link Schedule} is what {@code Plan}
 * binds to buffers, so if its launches cover exactly the recipe's stages in order, with the kernel of each stage's op
 * and the stage's shapes, the plan performs the CPU reference's steps in the CPU reference's order.
 */
class ScheduleTest {

    /** dim 32, 4 query heads over 2 KV heads of 16 (qDim 64 ≠ dim), ffn 64, vocab 40, context 16. */
    private static ModelConfig config(boolean tied, boolean qkvBias, boolean qkNorm) {
        return new ModelConfig("llama", 32, 3, 4, 2, 16, 64, 40, 1e-5f, 10000f, RopeStyle.HALF_SPLIT, 16, 1, 2, tied)
                .withFlags(qkvBias, qkNorm, RopeScaling.NONE);
    }

    static Stream<Arguments> variants() {
        return Stream.of(Arguments.of("llama", config(false, false, false), DType.Q4),
                Arguments.of("qwen2 (biases, tied)", config(true, true, false), DType.Q8),
                Arguments.of("qwen3 (q/k norm)", config(false, false, true), DType.F16),
                Arguments.of("all flags", config(true, true, true), DType.F32));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void theLaunchesPerformTheRecipesStagesInOrderWithTheirKernelsAndShapes(String name, ModelConfig c, DType matrices) {
        Manifest m = manifest(c, matrices);
        Recipe recipe = Recipe.of(m);
        Schedule s = Schedule.of(m);
        List<Stage> expected = recipe.stages();
        List<Stage> covered = s.recipeStages();
        assertEquals(expected.size(), covered.size(), "every stage is covered once");
        for (int i = 0; i < expected.size(); i++) assertEquals(expected.get(i), covered.get(i), "stage " + i);

        List<Schedule.Launch> launches = new ArrayList<>(s.body());
        launches.addAll(s.head());
        for (int i = 0; i < launches.size(); i++) {
            Schedule.Launch l = launches.get(i);
            if (l.stages().isEmpty()) { // attention's chunks: the next launch (the merge) carries ROPE and ATT
                assertEquals(launches.get(i + 1).label() + Schedule.CHUNKS, l.label());
                assertEquals(List.of(Step.ROPE, Step.ATT), launches.get(i + 1).stages().stream().map(Stage::step).toList());
                assertEquals(Kernel.ATTENTION, l.params().kernel());
                assertEquals(Kernel.ATTENTION_COMBINE, launches.get(i + 1).params().kernel());
            } else {
                assertEquals(joinedLabels(l), l.label(), "a launch is labelled step/Lk of its stages");
            }
        }
        int perLayer = 6 + (c.qkNorm() ? 1 : 0); // QK_NORM (Qwen3) is the one stage with a launch of its own
        assertEquals(1 + perLayer * c.layers(), s.body().size(), "EMBED, then per layer: norm+Q+K+V(+bias), "
                + "attention's chunks (with RoPE and the cache append), their merge, WO, norm+W1+W3+SILU_MUL, W2 (+ QK_NORM)");
        assertEquals(1, s.head().size(), "the final norm is folded into the LM head");

        for (Schedule.Launch l : launches) {
            if (l.stages().isEmpty()) continue; // checked above
            Stage st = l.stages().get(0);
            Stage mat = l.stages().stream().filter(x -> x.op() == Op.MAT_VEC).findFirst().orElse(null);
            Kernel expectedKernel = l.stages().stream().anyMatch(x -> x.step() == Step.Q) ? Kernel.MAT_VEC_QKV
                    : mat != null ? Kernel.MAT_VEC : st.op() == Op.ROPE ? Kernel.ATTENTION_COMBINE : kernelOf(st.op());
            assertEquals(expectedKernel, l.params().kernel(), l.label());
            if (l.params() instanceof Params.MatVec mv) {
                Weight w = mat.weights().get(0);
                assertEquals(w.rows(), mv.rows(), l.label() + " rows");
                assertEquals(w.cols(), mv.cols(), l.label() + " cols");
                assertEquals(mat.accumulate(), mv.mode() == Params.MatVec.ACCUMULATE, l.label() + " residual add");
                assertEquals(st.op() == Op.RMS_NORM, mv.norm(), l.label() + " folds the norm in");
                assertEquals(m.tensor(w.tensor()).dtype(), l.weights(), l.label() + " weight type");
                assertTrue(l.slots().contains(new Schedule.Slot.Tensor(w.tensor(), false))
                        || l.slots().get(0) instanceof Schedule.Slot.TensorRange r && r.names().contains(w.tensor()),
                        l.label() + " binds " + w.tensor());
            }
            assertEquals(l.params().kernel().bindings().size(), l.slots().size() + 1, l.label() + ": slots + Params");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void thePrefillBlockPerformsTheBodysStagesInOrderOverAllItsRows(String name, ModelConfig c, DType matrices) {
        Manifest m = manifest(c, matrices);
        Recipe recipe = Recipe.of(m);
        int rows = 64;
        Schedule s = Schedule.prefill(m, rows);
        assertEquals(rows, s.rows());
        assertEquals(List.of(), s.head(), "no LM head: only the last prompt position needs logits, and it runs as a decode position");
        assertEquals(recipe.body(), s.recipeStages(), "every body stage once, in the recipe's order");
        for (Schedule.Launch l : s.body()) {
            Stage st = l.stages().get(0);
            assertEquals(prefillKernelOf(st.op()), l.params().kernel(), l.label());
            assertEquals(joinedLabels(l), l.label(), "labels name the stages, as in decode");
            assertEquals(l.params().kernel().bindings().size(), l.slots().size() + 1, l.label() + ": slots + Params");
            Params p = l.params();
            if (p instanceof Params.MatMul mm) {
                Weight w = st.weights().get(0);
                assertEquals(List.of(rows, w.rows(), w.cols(), st.accumulate()), List.of(mm.rows(), mm.n(), mm.cols(), mm.accumulate()), l.label());
                assertEquals(m.tensor(w.tensor()).dtype(), l.weights(), l.label() + " weight type");
                assertTrue(l.slots().contains(new Schedule.Slot.Tensor(w.tensor(), false)), l.label() + " binds " + w.tensor());
            } else if (p instanceof Params.CausalAttention a) {
                assertEquals(List.of(rows, c.heads(), c.kvHeads(), c.headSize()), List.of(a.rows(), a.heads(), a.kvHeads(), a.headSize()), l.label());
            } else if (p instanceof Params.Embed e) {
                assertEquals(rows, e.rows(), l.label());
            } else if (p instanceof Params.RmsNorm n) {
                assertEquals(rows, n.rows(), l.label());
            } else if (p instanceof Params.QkvBias b) {
                assertEquals(rows, b.rows(), l.label());
            } else if (p instanceof Params.QkNorm n) {
                assertEquals(List.of(rows * c.heads(), rows * c.kvHeads()), List.of(n.heads(), n.kvHeads()), l.label());
            } else if (p instanceof Params.Rope r) {
                assertEquals(rows, r.rows(), l.label());
            } else if (p instanceof Params.SiluMul u) {
                assertEquals(rows * c.ffn(), u.n(), l.label());
            } else {
                throw new AssertionError(l.label() + ": unexpected " + p);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void theFeedForwardIsOnePairLaunchInDecodeAndUpProjectionAndSiluMulOneGatedLaunchInPrefill(String name, ModelConfig c,
                                                                                              DType matrices) {
        Manifest m = manifest(c, matrices);
        int pairs = 0;
        for (Schedule.Launch l : Schedule.of(m).body()) {
            List<Step> steps = l.stages().stream().map(Stage::step).toList();
            if (!steps.contains(Step.SILU_MUL)) continue;
            int layer = l.stages().get(0).layer();
            assertEquals(List.of(Step.FFN_NORM, Step.W1, Step.W3, Step.SILU_MUL), steps, l.label());
            Params.MatVec mv = (Params.MatVec) l.params();
            assertEquals(Params.MatVec.PAIR, mv.mode(), l.label());
            assertTrue(mv.norm(), l.label() + " folds ffn_norm in");
            assertEquals(new Schedule.Slot.TensorRange(List.of(TensorNames.ffnGate(layer), TensorNames.ffnUp(layer))), l.slots().get(0));
            assertEquals(new Schedule.Slot.Tensor(TensorNames.ffnNorm(layer), true), l.slots().get(2), "g is the norm weight");
            assertEquals(new Schedule.Slot.Activation(dev.kiln.recipe.Act.HB), l.slots().get(3), "writes hb");
            assertTrue(!l.slots().contains(new Schedule.Slot.Activation(dev.kiln.recipe.Act.HB2)), "hb2 is never written");
            pairs++;
        }
        assertEquals(c.layers(), pairs, "one SwiGLU launch per layer");
        int gated = 0;
        for (Schedule.Launch l : Schedule.prefill(m, 16).body()) {
            List<Step> steps = l.stages().stream().map(Stage::step).toList();
            if (steps.contains(Step.SILU_MUL) || steps.contains(Step.W3)) {
                assertEquals(List.of(Step.W3, Step.SILU_MUL), steps, l.label());
                assertTrue(((Params.MatMul) l.params()).gate(), l.label() + " gates");
                assertTrue(!l.slots().contains(new Schedule.Slot.Activation(dev.kiln.recipe.Act.HB2)), "hb2 is never written");
                gated++;
            }
        }
        assertEquals(c.layers(), gated, "one gated launch per layer");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void decodeRunsTheNormQKVAndBiasesAsOneLaunchOverTheRangeOfTheirWeights(String name, ModelConfig c, DType matrices) {
        Manifest m = manifest(c, matrices);
        int fused = 0;
        for (Schedule.Launch l : Schedule.of(m).body()) {
            if (!(l.params() instanceof Params.MatVecQkv p)) continue;
            int layer = l.stages().get(0).layer();
            List<Step> steps = new ArrayList<>(List.of(Step.ATT_NORM, Step.Q, Step.K, Step.V));
            if (c.qkvBias()) steps.add(Step.QKV_BIAS);
            assertEquals(steps, l.stages().stream().map(Stage::step).toList(), l.label());
            assertEquals(new Schedule.Slot.TensorRange(List.of(TensorNames.attnQ(layer), TensorNames.attnK(layer),
                    TensorNames.attnV(layer))), l.slots().get(0));
            assertEquals(new Schedule.Slot.Tensor(TensorNames.attnNorm(layer), true), l.slots().get(2), "g is the norm weight");
            assertEquals(c.qkvBias(), p.bias(), l.label() + " biases");
            if (c.qkvBias()) {
                assertEquals(new Schedule.Slot.TensorRange(List.of(TensorNames.attnQBias(layer), TensorNames.attnKBias(layer),
                        TensorNames.attnVBias(layer))), l.slots().get(3));
                TensorInfo bq = m.tensor(TensorNames.attnQBias(layer)), bk = m.tensor(TensorNames.attnKBias(layer));
                assertEquals(List.of(0L, (bk.offset() - bq.offset()) / 4), List.of((long) p.qBias(), (long) p.kBias()));
            }
            TensorInfo tq = m.tensor(TensorNames.attnQ(layer)), tk = m.tensor(TensorNames.attnK(layer)), tv = m.tensor(TensorNames.attnV(layer));
            assertEquals(List.of(c.qDim(), c.kvDim(), c.dim()), List.of(p.qRows(), p.kvRows(), p.cols()));
            assertTrue(p.norm(), "attn_norm folded in");
            assertEquals(0, p.qStart());
            assertTrue(p.kStart() > 0 && p.vStart() > p.kStart(), "wk and wv start after wq in the range");
            assertEquals((tv.offset() - tq.offset()) * p.kStart(), (tk.offset() - tq.offset()) * (long) p.vStart(),
                    "starts are the byte offsets in elements, one scale for both");
            assertEquals(matrices, l.weights());
            fused++;
        }
        assertEquals(c.layers(), fused, "one norm+Q+K+V launch per layer");
        for (Schedule.Launch l : Schedule.prefill(m, 8).body()) {
            assertTrue(l.stages().size() < 3, "prefill keeps Q, K, V as three MAT_MULs: " + l.label());
        }
    }

    @Test
    void theFinalNormIsFoldedIntoTheLmHead() {
        Manifest m = manifest(config(true, false, false), DType.Q4);
        List<Schedule.Launch> head = Schedule.of(m).head();
        assertEquals(1, head.size());
        Params.MatVec p = (Params.MatVec) head.get(0).params();
        assertEquals(List.of(40, 32, Params.MatVec.SET, true), List.of(p.rows(), p.cols(), p.mode(), p.norm()));
        assertEquals(List.of(new Schedule.Slot.Tensor(TensorNames.TOKEN_EMBD, false),
                new Schedule.Slot.Activation(dev.kiln.recipe.Act.X), new Schedule.Slot.Tensor(TensorNames.OUTPUT_NORM, true),
                new Schedule.Slot.Activation(dev.kiln.recipe.Act.LOGITS)), head.get(0).slots());
    }

    @Test
    void w1AndW3InDifferentShardsFallBackToANormAPlainAndAGatedMatVec() {
        ModelConfig c = config(false, false, false);
        Manifest good = manifest(c, DType.Q4);
        List<TensorInfo> tensors = new ArrayList<>();
        for (TensorInfo t : good.tensors()) {
            tensors.add(t.name().equals(TensorNames.ffnUp(2)) ? new TensorInfo(t.name(), t.shape(), t.dtype(), 1, 0, t.length()) : t);
        }
        List<ShardInfo> shards = new ArrayList<>(good.shards());
        shards.add(new ShardInfo("shard-00001.bin", 4096, "1".repeat(64)));
        Manifest split = new Manifest(good.name(), c, good.tokenizer(), tensors, shards);
        List<String> labels = new ArrayList<>();
        for (Schedule.Launch l : Schedule.of(split).body()) labels.add(l.label());
        assertTrue(labels.contains("FFN_NORM/L1+W1/L1+W3/L1+SILU_MUL/L1"), labels.toString());
        assertTrue(labels.containsAll(List.of("FFN_NORM/L2", "W1/L2", "W3/L2+SILU_MUL/L2")), "layer 2's w3 lives elsewhere: " + labels);
    }

    @Test
    void qKAndVStaySeparateWhenTheirWeightsAreInDifferentShards() {
        ModelConfig c = config(false, false, false);
        Manifest good = manifest(c, DType.Q4);
        List<TensorInfo> tensors = new ArrayList<>();
        for (TensorInfo t : good.tensors()) {
            tensors.add(t.name().equals(TensorNames.attnK(1)) ? new TensorInfo(t.name(), t.shape(), t.dtype(), 1, 0, t.length()) : t);
        }
        List<ShardInfo> shards = new ArrayList<>(good.shards());
        shards.add(new ShardInfo("shard-00001.bin", 4096, "1".repeat(64)));
        Manifest split = new Manifest(good.name(), c, good.tokenizer(), tensors, shards);
        List<String> labels = new ArrayList<>();
        for (Schedule.Launch l : Schedule.of(split).body()) labels.add(l.label());
        assertTrue(labels.contains("ATT_NORM/L0+Q/L0+K/L0+V/L0"), labels.toString());
        assertTrue(labels.containsAll(List.of("ATT_NORM/L1", "Q/L1", "K/L1", "V/L1")), "layer 1's wk lives in another shard: " + labels);
    }

    @Test
    void aDecodeScheduleIsOneRow() {
        Schedule s = Schedule.of(manifest(config(false, true, true), DType.Q4));
        assertEquals(1, s.rows());
        for (Schedule.Launch l : s.body()) {
            if (l.params() instanceof Params.RmsNorm n) assertEquals(1, n.rows(), l.label());
            if (l.params() instanceof Params.Rope r) assertEquals(1, r.rows(), l.label());
        }
    }

    @Test
    void theStepsPerLayerFollowTheConfigsVariant() {
        assertEquals(List.of(Step.ATT_NORM, Step.Q, Step.K, Step.V, Step.ROPE, Step.ATT, Step.WO, Step.FFN_NORM,
                Step.W1, Step.W3, Step.SILU_MUL, Step.W2), layerSteps(config(false, false, false)));
        assertEquals(List.of(Step.ATT_NORM, Step.Q, Step.K, Step.V, Step.QKV_BIAS, Step.QK_NORM, Step.ROPE, Step.ATT,
                Step.WO, Step.FFN_NORM, Step.W1, Step.W3, Step.SILU_MUL, Step.W2), layerSteps(config(false, true, true)));
    }

    @Test
    void aTiedModelReadsItsEmbeddingAsTheLmHead() {
        Recipe tied = Recipe.of(manifest(config(true, false, false), DType.F32));
        Recipe untied = Recipe.of(manifest(config(false, false, false), DType.F32));
        assertEquals(TensorNames.TOKEN_EMBD, tied.head().get(1).weights().get(0).tensor());
        assertEquals(TensorNames.OUTPUT, untied.head().get(1).weights().get(0).tensor());
    }

    @Test
    void aQuantizedNormIsRefusedByName() {
        ModelConfig c = config(false, false, false);
        Manifest good = manifest(c, DType.F32);
        List<TensorInfo> tensors = new ArrayList<>();
        for (TensorInfo t : good.tensors()) {
            tensors.add(t.name().equals(TensorNames.ffnNorm(1)) ? new TensorInfo(t.name(), t.shape(), DType.F16, 0, t.offset(), t.length()) : t);
        }
        Manifest bad = new Manifest(good.name(), c, good.tokenizer(), tensors, good.shards());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.of(bad));
        assertTrue(e.getMessage().contains(TensorNames.ffnNorm(1)), e.getMessage());
    }

    private static List<Step> layerSteps(ModelConfig c) {
        List<Step> steps = new ArrayList<>();
        for (Stage st : Recipe.of(c, true).body()) if (st.layer() == 1) steps.add(st.step());
        return steps;
    }

    private static Kernel kernelOf(Op op) {
        return switch (op) {
            case EMBED -> Kernel.EMBED;
            case RMS_NORM -> Kernel.RMS_NORM;
            case MAT_VEC -> Kernel.MAT_VEC;
            case QKV_BIAS -> Kernel.QKV_BIAS;
            case QK_NORM -> Kernel.QK_NORM;
            case ROPE -> Kernel.ROPE;
            case ATTENTION -> Kernel.ATTENTION;
            case SILU_MUL -> Kernel.SILU_MUL;
        };
    }

    private static String joinedLabels(Schedule.Launch l) {
        List<String> labels = new ArrayList<>();
        for (Stage st : l.stages()) labels.add(st.label());
        return String.join("+", labels);
    }

    private static Kernel prefillKernelOf(Op op) {
        return switch (op) {
            case MAT_VEC -> Kernel.MAT_MUL;
            case ATTENTION -> Kernel.CAUSAL_ATTENTION;
            default -> kernelOf(op);
        };
    }

    /** A manifest with every tensor the recipe reads (matrices in {@code matrices}, vectors f32), one shard. */
    private static Manifest manifest(ModelConfig c, DType matrices) {
        List<TensorInfo> tensors = new ArrayList<>();
        long offset = 0;
        for (Weight w : Recipe.of(c, !c.tiedEmbeddings()).weights()) {
            boolean vector = w.rows() == 1;
            DType t = vector ? DType.F32 : matrices;
            long length = t.byteSize(w.rows(), w.cols());
            long[] shape = vector ? new long[] {w.cols()} : new long[] {w.rows(), w.cols()};
            tensors.add(new TensorInfo(w.tensor(), shape, t, 0, offset, length));
            offset += (length + Manifest.ALIGNMENT - 1) / Manifest.ALIGNMENT * Manifest.ALIGNMENT;
        }
        return new Manifest("synthetic", c, "tokenizer.json", tensors, List.of(new ShardInfo("shard-00000.bin", offset, "0".repeat(64))));
    }
}
