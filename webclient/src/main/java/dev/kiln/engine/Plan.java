package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;

import dev.kiln.gpu.Binding;
import dev.kiln.gpu.Bytes;
import dev.kiln.gpu.Dispatch;
import dev.kiln.gpu.Gpu;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeFrequencies;
import dev.kiln.model.TensorInfo;
import dev.kiln.recipe.Act;
import dev.kiln.recipe.Stage;
import dev.kiln.shaders.Params;
import dev.kiln.shaders.StepUniform;
import org.teavm.jso.webgpu.GPUBuffer;

/**
 * Every dispatch of one token, built once at load and replayed unchanged: the model's {@link Schedule} (its recipe
 * compiled to kernel launches) with every slot bound to a GPU buffer. Per-token state is only the position, which a
 * copy from {@link #stepTable} puts into the {@link #step} uniform before each position's pass, so several positions
 * fit in one submit and nothing is written or allocated per token.
 *
 * <pre>
 *   body  = the recipe's body (EMBED, every layer)      head = the recipe's head (FINAL_NORM, LOGITS)
 *   greedy tail = ARGMAX (tokens[pos+1]);  sampling tail = TOP_K (candidates for the Java sampler)
 *   prefill = the body for a block of up to {@link #block} prompt positions ({@link Schedule#prefill})
 * </pre>
 *
 * The per-position activations (x, xb, q, k, v, xb2, hb, hb2) have {@link #block} rows; a decode position uses row 0.
 */
public final class Plan {
    final ModelConfig c;
    final Schedule schedule;
    final List<Dispatch> body = new ArrayList<>();   // one per schedule.body() launch
    final List<Dispatch> head = new ArrayList<>();   // one per schedule.head() launch
    final int block;                                 // prompt positions per prefill launch
    final Schedule prefillSchedule;
    final List<Dispatch> prefill = new ArrayList<>(); // one per prefillSchedule.body() launch
    final Dispatch argmax;
    final Dispatch topK;
    final List<Dispatch> argmaxPass; // one-dispatch passes, built once so the decode loop allocates no list
    final List<Dispatch> topKPass;
    final int k;                                     // candidates TOP_K returns

    final GPUBuffer[] acts;                          // (Act) f32 activations; u32 TOKENS; kv-typed caches (layers, context, kvDim)
    final GPUBuffer tokens;                          // acts[TOKENS]: (context) u32 token ids
    final GPUBuffer logits;                          // acts[LOGITS]: (vocab)
    final GPUBuffer freqs;                           // (headSize/2) RoPE inverse frequencies, scaling applied
    final GPUBuffer partials;                        // (heads, splits, headSize + 2): decode attention's chunks
    final GPUBuffer step;                            // the Step uniform (16 bytes)
    final GPUBuffer stepTable;                       // (context) × 16 bytes: Step for every position
    final GPUBuffer topKOut;                         // (2 + 2k) u32
    final GPUBuffer readback;                        // map-readable copy target (the widest of logits, top-K, a stage result)

    private final Gpu gpu;
    private final PipelineCache pipelines;
    private final Manifest m;
    private final GPUBuffer[] shards;

    /** The most prompt positions one prefill block holds. */
    static final int MAX_BLOCK = 64;

    Plan(Gpu gpu, PipelineCache pipelines, Loader.Loaded model, int k) {
        this.gpu = gpu;
        this.pipelines = pipelines;
        this.m = model.manifest();
        this.shards = model.shards();
        this.c = m.config();
        this.schedule = Schedule.of(m);
        this.block = Math.min(MAX_BLOCK, c.context());
        this.prefillSchedule = Schedule.prefill(m, block);
        this.k = Math.min(k, Math.min(Params.TopK.MAX_K, c.vocab()));
        acts = new GPUBuffer[Act.values().length];
        int widest = 0;
        for (Act a : Act.values()) {
            long bytes = a.isCache() ? (long) c.layers() * a.width(c) * pipelines.precision().kvBytes()
                    : 4L * a.width(c) * (perPosition(a) ? block : 1);
            acts[a.ordinal()] = gpu.storage(a.name(), (bytes + 15) & ~15L); // whole vec4s: the mat-vecs read x so
            if (!a.isCache()) widest = Math.max(widest, a.width(c));
        }
        tokens = acts[Act.TOKENS.ordinal()];
        logits = acts[Act.LOGITS.ordinal()];
        freqs = gpu.storage("freqs", 4L * Math.max(4, c.headSize() / 2));
        gpu.write(freqs, 0, Bytes.of(RopeFrequencies.of(c)));
        partials = gpu.storage("attention-partials",
                4L * c.heads() * Params.Attention.splits(c.context()) * (c.headSize() + 2));
        step = gpu.uniform("step", StepUniform.BYTES);
        int context = c.context();
        stepTable = gpu.buffer("stepTable", (long) StepUniform.BYTES * context,
                GPUBuffer.Usage.COPY_SRC | GPUBuffer.Usage.COPY_DST);
        byte[] table = new byte[StepUniform.BYTES * context];
        for (int pos = 0; pos < context; pos++) System.arraycopy(StepUniform.bytes(pos), 0, table, pos * StepUniform.BYTES, StepUniform.BYTES);
        gpu.write(stepTable, 0, Bytes.of(table));
        Params.TopK topKParams = new Params.TopK(c.vocab(), this.k);
        topKOut = gpu.storage("topK", topKParams.outBytes());
        for (Schedule.Launch l : schedule.body()) body.add(dispatch(l));
        for (Schedule.Launch l : schedule.head()) head.add(dispatch(l));
        for (Schedule.Launch l : prefillSchedule.body()) prefill.add(dispatch(l));
        for (Schedule.Launch l : schedule.body()) for (Stage s : l.stages()) widest = Math.max(widest, s.resultWidth(c));
        readback = gpu.readback("readback", Math.max(4L * widest, topKParams.outBytes()));
        argmax = dispatch("ARGMAX", new Params.Argmax(c.vocab()), null, List.of(whole(logits), whole(tokens), whole(step)));
        topK = dispatch("TOP_K", topKParams, null, List.of(whole(logits), whole(topKOut), whole(step)));
        argmaxPass = List.of(argmax);
        topKPass = List.of(topK);
    }

    /** Whether the plan's reducing kernels use subgroup operations. */
    boolean subgroups() { return pipelines.subgroups(); }

    /** Dispatches per token (body + head + one tail). */
    int dispatchesPerToken() { return body.size() + head.size() + 1; }

    /** Whether {@code a} has one row per position of a prefill block (not the ids, scores, logits or caches). */
    static boolean perPosition(Act a) {
        return switch (a) {
            case X, XB, XB2, Q, K, V, HB, HB2 -> true;
            case TOKENS, ATT, LOGITS, K_CACHE, V_CACHE -> false;
        };
    }

    /** The buffer of activation {@code a}. */
    GPUBuffer act(Act a) { return acts[a.ordinal()]; }

    private Dispatch dispatch(Schedule.Launch l) {
        List<Binding> buffers = new ArrayList<>();
        for (Schedule.Slot s : l.slots()) buffers.add(bind(s));
        return dispatch(l.label(), l.params(), l.weights(), buffers);
    }

    private Binding bind(Schedule.Slot s) {
        if (s instanceof Schedule.Slot.Activation a) return whole(act(a.act()));
        if (s instanceof Schedule.Slot.Tensor t) {
            TensorInfo info = m.tensor(t.name());
            return new Binding(shards[info.shard()], info.offset(), info.length());
        }
        if (s instanceof Schedule.Slot.TensorRange r) {
            long start = Long.MAX_VALUE, end = 0;
            int shard = m.tensor(r.names().get(0)).shard();
            for (String name : r.names()) {
                TensorInfo t = m.tensor(name);
                start = Math.min(start, t.offset());
                end = Math.max(end, t.offset() + t.length());
            }
            return new Binding(shards[shard], start, end - start);
        }
        if (s instanceof Schedule.Slot.RopeTable) return whole(freqs);
        if (s instanceof Schedule.Slot.AttentionPartials) return whole(partials);
        return whole(step);
    }

    /** One dispatch of {@code p.kernel()}: its buffers in slot order, then its own Params uniform. */
    private Dispatch dispatch(String label, Params launch, dev.kiln.model.DType weights, List<Binding> buffers) {
        Params p = Params.withRowTeams(launch, pipelines.rowTeams()); // the mat-vecs' rows per workgroup: this device's
        byte[] bytes = p.bytes();
        GPUBuffer uniform = gpu.uniform(label + "/params", bytes.length);
        gpu.write(uniform, 0, Bytes.of(bytes));
        List<Binding> all = new ArrayList<>(buffers);
        all.add(Binding.whole(uniform));
        if (all.size() != p.kernel().bindings().size()) {
            throw new IllegalStateException(label + ": " + all.size() + " bindings for " + p.kernel() + " which declares "
                    + p.kernel().bindings().size());
        }
        int[] wg = p.workgroups();
        return Dispatch.of(gpu, label, pipelines.get(p.kernel(), weights), all, wg[0], wg[1], wg[2]);
    }

    private static Binding whole(GPUBuffer b) { return Binding.whole(b); }
}
