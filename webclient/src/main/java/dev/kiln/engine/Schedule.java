package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.TensorInfo;
import dev.kiln.recipe.Act;
import dev.kiln.recipe.Op;
import dev.kiln.recipe.Recipe;
import dev.kiln.recipe.Stage;
import dev.kiln.recipe.Step;
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
 * <p>Fusions (one launch for several consecutive stages, labelled with their labels joined by '+'), decode: an RMS_NORM
 * folds into the mat-vec launch that reads its output (when nothing after it does); Q, K, V and their biases are one
 * MAT_VEC_QKV; W1, W3 and SILU_MUL one SwiGLU-pair MAT_VEC; ROPE and ATT are flash-decoding's two launches (the
 * first, attention's chunks, has no stage of its own; {@link #CHUNKS}). Tensors fused into one launch are bound as one
 * range, so they must lie in one shard with one dtype (the packager keeps them so); otherwise the stages run as
 * separate launches. Prefill: W3 and SILU_MUL are one gated MAT_MUL. A layer's decode is 6 launches (7 with QK_NORM).
 */
public final class Schedule {

    /** A kernel argument before there is a GPU: an activation, a weight tensor, the RoPE table or the step uniform. */
    public sealed interface Slot {
        record Activation(Act act) implements Slot {}
        /** A tensor as the kernel reads it; {@code vector}: a 1-D f32 tensor (norm weight, bias). */
        record Tensor(String name, boolean vector) implements Slot {}
        /** The bytes from the lowest start to the highest end of these tensors (one shard), as one binding. */
        record TensorRange(List<String> names) implements Slot {}
        record RopeTable() implements Slot {}
        /** ATTENTION's per-chunk partial results, (heads, splits, headSize + 2) f32, shared by every layer. */
        record AttentionPartials() implements Slot {}
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

    /** One launch per stage, except where a fusion takes several consecutive stages. */
    private void compile(List<Stage> stages, List<Launch> out) {
        for (int i = 0; i < stages.size(); ) {
            if (rows == 1 && i + 1 < stages.size() && stages.get(i).op() == Op.ROPE && stages.get(i + 1).op() == Op.ATTENTION) {
                out.addAll(attention(stages.get(i), stages.get(i + 1)));
                i += 2;
                continue;
            }
            Launch l = rows == 1 ? decodeFusion(stages, i) : null;
            if (l == null && i + 1 < stages.size() && gates(stages.get(i), stages.get(i + 1))) {
                l = gated(stages.get(i), stages.get(i + 1));
            }
            if (l == null) l = launch(stages.get(i));
            out.add(l);
            i += l.stages().size();
        }
    }

    /**
     * Decode's ROPE and ATT as flash-decoding: ATTENTION over chunks of the cache (rotating q, and k and v of the
     * position as it appends them to the cache), then ATTENTION_COMBINE. The first launch performs no whole stage
     * (its partials are nobody's result: it has no stages and the label {@code …:chunks}); the second carries both.
     */
    private List<Launch> attention(Stage rope, Stage att) {
        int layerOffset = Math.max(0, att.layer()) * c.context() * c.kvDim();
        Params.Attention p = Params.Attention.of(c.heads(), c.kvHeads(), c.headSize(), c.context(), layerOffset,
                c.ropeStyle(), c.ropeScaling().attentionFactor());
        Launch combine = launch(List.of(rope, att), Params.AttentionCombine.of(p), null, new Slot.AttentionPartials(),
                act(att.out(), 1), new Slot.StepUniform());
        Slot[] slots = {act(rope.in(), 0), act(rope.in(), 1), act(rope.in(), 2), new Slot.RopeTable(), act(rope.out(), 2),
                act(rope.out(), 3), new Slot.AttentionPartials(), new Slot.StepUniform()};
        if (slots.length + 1 != p.kernel().bindings().size()) throw new IllegalStateException(combine.label() + ": bindings");
        Launch chunks = new Launch(combine.label() + CHUNKS, List.of(), p, null, List.of(slots));
        return List.of(chunks, combine);
    }

    /** The label suffix of the launch that computes attention's chunks (a launch without stages of its own). */
    public static final String CHUNKS = ":chunks";

    /**
     * The decode fusion that starts at stage {@code i}, or null: an RMS_NORM folded into the mat-vec(s) reading its
     * output (when nothing else reads it), then Q, K, V (and QKV_BIAS) as one MAT_VEC_QKV, or W1, W3, SILU_MUL as one
     * SwiGLU-pair MAT_VEC, or the norm and one mat-vec (the LM head) as one normed MAT_VEC.
     */
    private Launch decodeFusion(List<Stage> stages, int i) {
        Stage norm = stages.get(i).op() == Op.RMS_NORM && c.dim() % 4 == 0 ? stages.get(i) : null;
        int j = norm != null ? i + 1 : i;
        if (j + 2 < stages.size() && projections(stages.get(j), stages.get(j + 1), stages.get(j + 2))) {
            Stage bias = j + 3 < stages.size() && biases(stages.get(j + 3)) ? stages.get(j + 3) : null;
            int end = j + (bias != null ? 4 : 3);
            if (norm == null || foldable(stages, i, end)) return qkv(norm, stages.subList(j, j + 3), bias);
        }
        if (j + 2 < stages.size() && pairs(stages.get(j), stages.get(j + 1), stages.get(j + 2))
                && (norm == null || foldable(stages, i, j + 3))) {
            return pair(norm, stages.get(j), stages.get(j + 1), stages.get(j + 2));
        }
        if (norm != null && j < stages.size() && stages.get(j).op() == Op.MAT_VEC && !stages.get(j).accumulate()
                && foldable(stages, i, j + 1)) {
            Stage mv = stages.get(j);
            TensorInfo t = tensor(mv, 0);
            Params p = Params.MatVec.normed(t.dtype(), (int) t.rows(), (int) t.cols(), c.normEps());
            return launch(List.of(norm, mv), p, t.dtype(), weight(mv, 0), act(norm.in(), 0), vector(norm, 0), act(mv.out(), 0));
        }
        return null;
    }

    /**
     * Whether the norm at {@code i} can be folded into the launch of the stages after it up to {@code end}
     * (exclusive): the first of them (a mat-vec) reads the norm's output, and no stage after the launch reads it
     * before another writes it (the fused launch never writes it).
     */
    private static boolean foldable(List<Stage> stages, int i, int end) {
        Act out = stages.get(i).out().get(0);
        if (!stages.get(i + 1).in().equals(List.of(out))) return false;
        for (int k = end; k < stages.size(); k++) {
            if (stages.get(k).in().contains(out)) return false;
            if (stages.get(k).out().contains(out)) return true;
        }
        return true;
    }

    /** Whether q, k, v are Q, K, V of one input whose weights lie in one shard with one dtype. */
    private boolean projections(Stage q, Stage k, Stage v) {
        if (q.step() != Step.Q || k.step() != Step.K || v.step() != Step.V) return false;
        if (!q.in().equals(k.in()) || !q.in().equals(v.in())) return false;
        TensorInfo tq = tensor(q, 0), tk = tensor(k, 0), tv = tensor(v, 0);
        return oneRange(List.of(tq, tk, tv)) && tq.dtype() == tk.dtype() && tk.dtype() == tv.dtype()
                && tk.rows() == tv.rows() && tq.cols() == tk.cols() && tk.cols() == tv.cols();
    }

    /** Whether {@code s} adds the q, k, v biases, f32 and in one shard (bound as one range). */
    private boolean biases(Stage s) {
        if (s.op() != Op.QKV_BIAS) return false;
        List<TensorInfo> ts = List.of(tensor(s, 0), tensor(s, 1), tensor(s, 2));
        for (TensorInfo t : ts) if (t.dtype() != DType.F32) return false;
        return oneRange(ts);
    }

    /** Whether the tensors lie in one shard (then their byte offsets differ by multiples of 256: docs/format.md). */
    private static boolean oneRange(List<TensorInfo> ts) {
        for (TensorInfo t : ts) {
            if (t.shard() != ts.get(0).shard() || (t.offset() - ts.get(0).offset()) % 256 != 0) return false;
        }
        return true;
    }

    /** The byte offset where the range of {@code ts} starts: the lowest tensor offset. */
    private static long rangeStart(List<TensorInfo> ts) {
        long min = Long.MAX_VALUE;
        for (TensorInfo t : ts) min = Math.min(min, t.offset());
        return min;
    }

    /** [norm], Q, K, V [, bias] as one MAT_VEC_QKV over the range of the three weights (and of the three biases). */
    private Launch qkv(Stage norm, List<Stage> qkv, Stage bias) {
        List<TensorInfo> ts = List.of(tensor(qkv.get(0), 0), tensor(qkv.get(1), 0), tensor(qkv.get(2), 0));
        long at = rangeStart(ts);
        TensorInfo tq = ts.get(0), tk = ts.get(1);
        Params.MatVecQkv p = Params.MatVecQkv.of(tq.dtype(), (int) tq.rows(), (int) tk.rows(), (int) tq.cols(),
                (int) ((tq.offset() - at) / 4), (int) ((tk.offset() - at) / 4), (int) ((ts.get(2).offset() - at) / 4));
        if (norm != null) p = p.normed(c.normEps());
        Slot biasSlot = act(qkv.get(0).in(), 0); // unread without biases
        if (bias != null) {
            List<TensorInfo> bs = List.of(tensor(bias, 0), tensor(bias, 1), tensor(bias, 2));
            long b0 = rangeStart(bs);
            p = p.biased((int) ((bs.get(0).offset() - b0) / 4), (int) ((bs.get(1).offset() - b0) / 4),
                    (int) ((bs.get(2).offset() - b0) / 4));
            biasSlot = new Slot.TensorRange(names(bias));
        }
        List<Stage> covered = new ArrayList<>();
        if (norm != null) covered.add(norm);
        covered.addAll(qkv);
        if (bias != null) covered.add(bias);
        Stage q = qkv.get(0);
        return launch(covered, p, tq.dtype(), new Slot.TensorRange(List.of(q.weights().get(0).tensor(),
                        qkv.get(1).weights().get(0).tensor(), qkv.get(2).weights().get(0).tensor())),
                act((norm != null ? norm : q).in(), 0), norm != null ? vector(norm, 0) : act(q.in(), 0), biasSlot,
                act(q.out(), 0), act(qkv.get(1).out(), 0), act(qkv.get(2).out(), 0));
    }

    private static List<String> names(Stage s) {
        List<String> names = new ArrayList<>();
        for (Weight w : s.weights()) names.add(w.tensor());
        return names;
    }

    /** Whether w1, w3, silu are W1, W3 and SILU_MUL of one input, the two weights in one shard with one dtype. */
    private boolean pairs(Stage w1, Stage w3, Stage silu) {
        if (w1.op() != Op.MAT_VEC || w1.accumulate() || !gates(w3, silu) || !w1.in().equals(w3.in())
                || silu.in().get(0) != w1.out().get(0)) return false;
        TensorInfo a = tensor(w1, 0), b = tensor(w3, 0);
        return oneRange(List.of(a, b)) && a.dtype() == b.dtype() && a.rows() == b.rows() && a.cols() == b.cols();
    }

    /** [norm], W1, W3, SILU_MUL as one MAT_VEC: hb = silu(w1·x̂)·(w3·x̂); hb2 is never written. */
    private Launch pair(Stage norm, Stage w1, Stage w3, Stage silu) {
        TensorInfo a = tensor(w1, 0), b = tensor(w3, 0);
        long at = Math.min(a.offset(), b.offset());
        Params p = Params.MatVec.pair(a.dtype(), (int) a.rows(), (int) a.cols(), (int) ((a.offset() - at) / 4),
                (int) ((b.offset() - at) / 4), norm != null, norm != null ? c.normEps() : 0f);
        List<Stage> covered = new ArrayList<>();
        if (norm != null) covered.add(norm);
        covered.addAll(List.of(w1, w3, silu));
        return launch(covered, p, a.dtype(), new Slot.TensorRange(List.of(w1.weights().get(0).tensor(),
                        w3.weights().get(0).tensor())), act((norm != null ? norm : w1).in(), 0),
                norm != null ? vector(norm, 0) : act(w1.in(), 0), act(silu.out(), 0));
    }

    /** Whether {@code up} (W3: hb2 = w3·xb) is followed by {@code silu} (hb = silu(hb)·hb2) reading its output. */
    private static boolean gates(Stage up, Stage silu) {
        return up.op() == Op.MAT_VEC && !up.accumulate() && silu.op() == Op.SILU_MUL
                && silu.in().size() == 2 && silu.in().get(1) == up.out().get(0) && silu.out().get(0) == silu.in().get(0);
    }

    /** W3 and SILU_MUL as one launch: y = silu(y)·(w3·xb) into the gate's buffer (hb). */
    private Launch gated(Stage up, Stage silu) {
        TensorInfo t = tensor(up, 0);
        if (rows == 1) {
            Params p = Params.MatVec.gated(t.dtype(), (int) t.rows(), (int) t.cols());
            return launch(List.of(up, silu), p, t.dtype(), weight(up, 0), act(up.in(), 0), act(up.in(), 0), act(silu.out(), 0));
        }
        Params p = Params.MatMul.gated(t.dtype(), rows, (int) t.rows(), (int) t.cols());
        return launch(List.of(up, silu), p, t.dtype(), weight(up, 0), act(up.in(), 0), act(silu.out(), 0),
                new Slot.StepUniform());
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
                            weight(s, 0), act(s.in(), 0), act(s.in(), 0), act(s.out(), 0)); // g: unread
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
            case ATTENTION -> {
                if (rows == 1) throw new IllegalStateException(s.label() + ": decode attention runs with its ROPE (attention())");
                // online softmax: no ATT scratch
                yield of(s, new Params.CausalAttention(rows, c.heads(), c.kvHeads(), c.headSize(), layerOffset), null,
                        act(s.in(), 0), act(s.in(), 1), act(s.in(), 2), act(s.out(), 1), new Slot.StepUniform());
            }
            case SILU_MUL -> of(s, new Params.SiluMul(c.ffn() * rows), null, act(s.in(), 0), act(s.in(), 1));
        };
    }

    private static Launch of(Stage s, Params p, DType weights, Slot... slots) { return launch(List.of(s), p, weights, slots); }

    /** One launch covering {@code stages}, labelled with their labels joined by '+'. */
    private static Launch launch(List<Stage> stages, Params p, DType weights, Slot... slots) {
        StringBuilder label = new StringBuilder();
        for (Stage s : stages) label.append(label.length() > 0 ? "+" : "").append(s.label());
        if (slots.length + 1 != p.kernel().bindings().size()) {
            throw new IllegalStateException(label + ": " + (slots.length + 1) + " bindings for " + p.kernel()
                    + " which declares " + p.kernel().bindings().size());
        }
        return new Launch(label.toString(), List.copyOf(stages), p, weights, List.of(slots));
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
