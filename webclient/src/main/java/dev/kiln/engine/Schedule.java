package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.TensorInfo;
import dev.kiln.recipe.Act;
import dev.kiln.recipe.Recipe;
import dev.kiln.recipe.Stage;
import dev.kiln.recipe.Weight;
import dev.kiln.shaders.Params;

/**
 * The GPU compilation of a {@link Recipe}, without a GPU: for every stage, the kernel launch that performs it — its
 * {@link Params}, weight type and buffers in the kernel's slot order ({@link Slot}s, resolved to GPU buffers by
 * {@link Plan}). A launch covers one or more consecutive stages (a fused kernel covers several), so a test can check on
 * the JVM that the plan performs exactly the recipe's stages, in the recipe's order.
 *
 * <p>{@link #of} compiles one position (decode: mat-vecs, attention of one query); {@link #prefill} compiles the body
 * for a block of {@code rows} prompt positions at once: the same stages, with every activation (rows, width), the
 * projections as tiled matrix–matrix products (MAT_MUL), attention causal over the block and the cache
 * (CAUSAL_ATTENTION) and the element-wise kernels over all rows. The head (LM head) is not in it: only the last
 * prompt position needs logits, and it runs as a decode position.
 *
 * <p>Fusions (one launch for several consecutive stages, labelled with their labels joined by '+'): the up projection
 * W3 and SILU_MUL are one gated MAT_VEC / MAT_MUL ({@code y = silu(y)·(W·x)} with the gate already in y), so hb2 is
 * never written and the FFN takes one dispatch less per layer. In decode, the projections Q, K and V are one MAT_VEC_QKV
 * when their three weights lie in one shard in that order with one dtype (the packager writes them so): the range from
 * wq's first byte to wv's last is bound as one weight binding.
 */
public final class Schedule {

    /** A kernel argument before there is a GPU: an activation, a weight tensor, the RoPE table or the step uniform. */
    public sealed interface Slot {
        record Activation(Act act) implements Slot {}
        /** A tensor as the kernel reads it; {@code vector}: a 1-D f32 tensor (norm weight, bias). */
        record Tensor(String name, boolean vector) implements Slot {}
        /** The bytes from tensor {@code first}'s start to tensor {@code last}'s end (one shard), as one binding. */
        record TensorRange(String first, String last) implements Slot {}
        record RopeTable() implements Slot {}
        record StepUniform() implements Slot {}
    }

    /**
     * One dispatch.
     *
     * @param label   {@code step/L3} of its stages, joined with '+' when it covers several
     * @param stages  the recipe stages it performs, in order
     * @param params  the kernel and its uniform
     * @param weights the dtype of its weight binding, null for kernels without one
     * @param slots   its buffers in slot order, the Params uniform (always last) excepted
     */
    public record Launch(String label, List<Stage> stages, Params params, DType weights, List<Slot> slots) {}

    private final Manifest m;
    private final ModelConfig c;
    private final int rows;
    final List<Launch> body = new ArrayList<>();
    final List<Launch> head = new ArrayList<>();

    private Schedule(Manifest m, int rows, boolean withHead) {
        if (rows < 1) throw new IllegalArgumentException("a block needs at least one row, got " + rows);
        this.m = m;
        this.c = m.config();
        this.rows = rows;
        Recipe r = Recipe.of(m);
        compile(r.body(), body);
        if (withHead) compile(r.head(), head);
    }

    /** One launch per stage, except where a fusion takes two consecutive stages. */
    private void compile(List<Stage> stages, List<Launch> out) {
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            if (rows == 1 && i + 2 < stages.size() && projections(s, stages.get(i + 1), stages.get(i + 2))) {
                out.add(qkv(s, stages.get(i + 1), stages.get(i + 2)));
                i += 2;
            } else if (i + 1 < stages.size() && gates(s, stages.get(i + 1))) {
                out.add(gated(s, stages.get(i + 1)));
                i++;
            } else {
                out.add(launch(s));
            }
        }
    }

    /** Whether q, k, v are Q, K, V of one input whose weights lie in one shard, in order, with one dtype. */
    private boolean projections(Stage q, Stage k, Stage v) {
        if (q.step() != dev.kiln.recipe.Step.Q || k.step() != dev.kiln.recipe.Step.K || v.step() != dev.kiln.recipe.Step.V) return false;
        if (!q.in().equals(k.in()) || !q.in().equals(v.in())) return false;
        TensorInfo tq = tensor(q, 0), tk = tensor(k, 0), tv = tensor(v, 0);
        return tq.shard() == tk.shard() && tk.shard() == tv.shard() && tq.dtype() == tk.dtype() && tk.dtype() == tv.dtype()
                && tq.offset() + tq.length() <= tk.offset() && tk.offset() + tk.length() <= tv.offset()
                && tk.rows() == tv.rows() && tq.cols() == tk.cols() && tk.cols() == tv.cols()
                && (tk.offset() - tq.offset()) % 256 == 0 && (tv.offset() - tq.offset()) % 256 == 0;
    }

    /** Q, K and V as one launch over the range wq..wv. */
    private Launch qkv(Stage q, Stage k, Stage v) {
        TensorInfo tq = tensor(q, 0), tk = tensor(k, 0), tv = tensor(v, 0);
        Params p = Params.MatVecQkv.of(tq.dtype(), (int) tq.rows(), (int) tk.rows(), (int) tq.cols(), 0,
                (int) ((tk.offset() - tq.offset()) / 4), (int) ((tv.offset() - tq.offset()) / 4));
        List<Slot> slots = List.of(new Slot.TensorRange(q.weights().get(0).tensor(), v.weights().get(0).tensor()),
                act(q.in(), 0), act(q.out(), 0), act(k.out(), 0), act(v.out(), 0));
        if (slots.size() + 1 != p.kernel().bindings().size()) throw new IllegalStateException(q.label() + ": bindings");
        return new Launch(q.label() + "+" + k.label() + "+" + v.label(), List.of(q, k, v), p, tq.dtype(), slots);
    }

    /** Whether {@code up} (W3: hb2 = w3·xb) is followed by {@code silu} (hb = silu(hb)·hb2) reading its output. */
    private static boolean gates(Stage up, Stage silu) {
        return up.op() == dev.kiln.recipe.Op.MAT_VEC && !up.accumulate() && silu.op() == dev.kiln.recipe.Op.SILU_MUL
                && silu.in().size() == 2 && silu.in().get(1) == up.out().get(0) && silu.out().get(0) == silu.in().get(0);
    }

    /** W3 and SILU_MUL as one launch: y = silu(y)·(w3·xb) into the gate's buffer (hb). */
    private Launch gated(Stage up, Stage silu) {
        TensorInfo t = tensor(up, 0);
        Params p = rows == 1 ? Params.MatVec.gated(t.dtype(), (int) t.rows(), (int) t.cols())
                : Params.MatMul.gated(t.dtype(), rows, (int) t.rows(), (int) t.cols());
        List<Slot> slots = new ArrayList<>(List.of(weight(up, 0), act(up.in(), 0), act(silu.out(), 0)));
        if (rows > 1) slots.add(new Slot.StepUniform());
        if (slots.size() + 1 != p.kernel().bindings().size()) throw new IllegalStateException(up.label() + ": bindings");
        return new Launch(up.label() + "+" + silu.label(), List.of(up, silu), p, t.dtype(), List.copyOf(slots));
    }

    /** The launches of one position of the model in {@code m}. */
    public static Schedule of(Manifest m) { return new Schedule(m, 1, true); }

    /**
     * The launches of the body for a block of up to {@code rows} consecutive prompt positions (the {@code Step}
     * uniform says where the block starts and how many rows it holds); no head.
     */
    public static Schedule prefill(Manifest m, int rows) { return new Schedule(m, rows, false); }

    /** Positions per launch: 1 for {@link #of}, the block size for {@link #prefill}. */
    public int rows() { return rows; }

    public List<Launch> body() { return body; }

    public List<Launch> head() { return head; }

    /** Every recipe stage the launches cover, body then head, in launch order. */
    public List<Stage> recipeStages() {
        List<Stage> all = new ArrayList<>();
        for (Launch l : body) all.addAll(l.stages());
        for (Launch l : head) all.addAll(l.stages());
        return all;
    }

    /** The one kernel that performs {@code s}. */
    private Launch launch(Stage s) {
        int layerOffset = Math.max(0, s.layer()) * c.context() * c.kvDim();
        return switch (s.op()) {
            case EMBED -> {
                TensorInfo t = tensor(s, 0);
                yield of(s, Params.Embed.of(t.dtype(), c.vocab(), c.dim(), rows), t.dtype(),
                        act(s.in(), 0), weight(s, 0), act(s.out(), 0), new Slot.StepUniform());
            }
            case RMS_NORM -> of(s, new Params.RmsNorm(c.dim(), c.normEps(), rows), null, act(s.in(), 0), vector(s, 0),
                    act(s.out(), 0));
            case MAT_VEC -> {
                TensorInfo t = tensor(s, 0);
                if (rows == 1) {
                    yield of(s, Params.MatVec.of(t.dtype(), (int) t.rows(), (int) t.cols(), s.accumulate()), t.dtype(),
                            weight(s, 0), act(s.in(), 0), act(s.out(), 0));
                }
                yield of(s, Params.MatMul.of(t.dtype(), rows, (int) t.rows(), (int) t.cols(), s.accumulate()), t.dtype(),
                        weight(s, 0), act(s.in(), 0), act(s.out(), 0), new Slot.StepUniform());
            }
            case QKV_BIAS -> of(s, new Params.QkvBias(c.qDim(), c.kvDim(), rows), null, act(s.out(), 0), act(s.out(), 1),
                    act(s.out(), 2), vector(s, 0), vector(s, 1), vector(s, 2));
            // a block's (rows, heads, headSize) queries are rows·heads heads one after another
            case QK_NORM -> of(s, new Params.QkNorm(c.heads() * rows, c.kvHeads() * rows, c.headSize(), c.normEps()), null,
                    act(s.out(), 0), act(s.out(), 1), vector(s, 0), vector(s, 1));
            case ROPE -> of(s, new Params.Rope(c.heads(), c.kvHeads(), c.headSize(), c.ropeStyle(), layerOffset,
                    c.ropeScaling().attentionFactor(), rows), null,
                    act(s.in(), 0), act(s.in(), 1), act(s.in(), 2), new Slot.RopeTable(), act(s.out(), 2), act(s.out(), 3),
                    new Slot.StepUniform());
            case ATTENTION -> rows == 1
                    ? of(s, new Params.Attention(c.heads(), c.kvHeads(), c.headSize(), c.context(), layerOffset), null,
                            act(s.in(), 0), act(s.in(), 1), act(s.in(), 2), act(s.out(), 0), act(s.out(), 1), new Slot.StepUniform())
                    // online softmax: no ATT scratch
                    : of(s, new Params.CausalAttention(rows, c.heads(), c.kvHeads(), c.headSize(), layerOffset), null,
                            act(s.in(), 0), act(s.in(), 1), act(s.in(), 2), act(s.out(), 1), new Slot.StepUniform());
            case SILU_MUL -> of(s, new Params.SiluMul(c.ffn() * rows), null, act(s.in(), 0), act(s.in(), 1));
        };
    }

    private static Launch of(Stage s, Params p, DType weights, Slot... slots) {
        if (slots.length + 1 != p.kernel().bindings().size()) {
            throw new IllegalStateException(s.label() + ": " + (slots.length + 1) + " bindings for " + p.kernel()
                    + " which declares " + p.kernel().bindings().size());
        }
        return new Launch(s.label(), List.of(s), p, weights, List.of(slots));
    }

    private static Slot act(List<Act> acts, int i) { return new Slot.Activation(acts.get(i)); }

    private TensorInfo tensor(Stage s, int i) { return m.tensor(s.weights().get(i).tensor()); }

    private Slot weight(Stage s, int i) { return new Slot.Tensor(s.weights().get(i).tensor(), false); }

    /** A 1-D tensor: the kernels read these as array&lt;f32&gt;. */
    private Slot vector(Stage s, int i) {
        Weight w = s.weights().get(i);
        TensorInfo t = m.tensor(w.tensor());
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException("1-D tensor " + w.tensor() + " is " + t.dtype().id() + " but the engine reads"
                    + " norms and biases as f32: re-package the model (the packager keeps 1-D tensors in f32)");
        }
        return new Slot.Tensor(w.tensor(), true);
    }
}
